// The run command's flags, made from the one option table in fleet/run-config.ts (which parses
// them): each flag's help shows its default and its environment variable, so `run --help` is
// the whole reference. The docker and CI checks compare their flags with this list.
import { Option, type Command } from 'commander';
import { flagOf, runOptionTable, type RunOptionSpec } from '../fleet/run-config.ts';

/** kebab-case flag names the run command accepts. */
export const knownRunFlags: readonly string[] = Object.entries(runOptionTable as Record<string, RunOptionSpec>).map(([key, spec]) =>
  spec.negatable ? `--no-${flagOf(key).slice(2)}` : flagOf(key),
);

export function addRunOptions(command: Command): void {
  for (const [key, spec] of Object.entries(runOptionTable as Record<string, RunOptionSpec>)) {
    const help = `${spec.help}${defaultText(spec)}${spec.env ? ` [env ${spec.env}]` : ''}`;
    if (spec.negatable) command.addOption(new Option(`--no-${flagOf(key).slice(2)}`, help));
    else if (!spec.valueName) command.addOption(new Option(flagOf(key), help));
    else if (spec.repeatable) command.addOption(new Option(`${flagOf(key)} <${spec.valueName}>`, help).argParser((value: string, previous: string[] = []) => [...previous, value]));
    else command.addOption(new Option(`${flagOf(key)} <${spec.valueName}>`, help));
  }
}

/** " (default: 30s)" from the schema's default, when it has one worth showing. */
function defaultText(spec: RunOptionSpec): string {
  if (spec.negatable || !spec.valueName) return '';
  const def = (spec.schema as unknown as { def: { type: string; defaultValue?: unknown; innerType?: { def: { type: string } } } }).def;
  if (def.type !== 'default' && def.type !== 'prefault') return '';
  const value = typeof def.defaultValue === 'function' ? (def.defaultValue as () => unknown)() : def.defaultValue;
  if (Array.isArray(value) && value.length === 0) return '';
  return ` (default: ${String(value)})`;
}
