// Test fixture for redact.test.ts: a process that installs output redaction for its own
// arguments and environment, then prints its secrets the ways code tends to (console.log,
// console.error with an Error, a raw Buffer write). The test checks none of them get through.
import { redactCommandOutput } from './redact-output.ts';

redactCommandOutput(process.argv.slice(2));
const token = process.argv[process.argv.indexOf('--influx-token') + 1];
const url = process.argv[process.argv.indexOf('--influx-url') + 1];
console.log(`log: token ${token} url ${url} password ${process.env.WADDLE_FLEET_INFLUX_PASSWORD}`);
console.error('error:', String(new Error(`failed with ${token} and ${encodeURIComponent(process.env.WADDLE_FLEET_INFLUX_PASSWORD ?? '')}`)));
process.stdout.write(Buffer.from(`buffer: ${token}\n`));
