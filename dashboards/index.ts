// Grafana dashboards as code. `waddle-fleet dashboards --out <dir>` calls writeDashboards; Grafana
// provisioning (docker/grafana/provisioning/dashboards) loads the files from that folder.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chatUploadsBoard, generatorHealthBoard, overviewBoard, webrtcBoard } from './boards.ts';
import { importable, type ImportableDashboard } from './importable.ts';

export { influxDatasource } from './influxql.ts';
export type { ImportableDashboard } from './importable.ts';

/** Every board, keyed by its file name; each imports through Grafana's UI or loads by file provisioning. */
export function buildDashboards(): Record<string, ImportableDashboard> {
  return {
    'waddle-overview.json': importable(overviewBoard()),
    'waddle-webrtc.json': importable(webrtcBoard()),
    'waddle-chat-uploads.json': importable(chatUploadsBoard()),
    'waddle-generator.json': importable(generatorHealthBoard()),
  };
}

/** Writes each board as JSON into outDir (created if missing); returns the paths written. */
export async function writeDashboards(outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const [file, dashboard] of Object.entries(buildDashboards())) {
    const path = join(outDir, file);
    await writeFile(path, JSON.stringify(dashboard, null, 2) + '\n');
    written.push(path);
  }
  return written;
}
