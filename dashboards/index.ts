// Grafana dashboards as code. `waddle-fleet dashboards --out <dir>` calls writeDashboards; Grafana
// provisioning (docker/grafana/provisioning/dashboards) loads the files from that folder.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { chatUploadsBoard, generatorHealthBoard, overviewBoard, webrtcBoard } from './boards.ts';

export { influxDatasource } from './influxql.ts';

/** Every board, keyed by its file name. */
export function buildDashboards(): Record<string, Dashboard> {
  return {
    'waddle-overview.json': overviewBoard(),
    'waddle-webrtc.json': webrtcBoard(),
    'waddle-chat-uploads.json': chatUploadsBoard(),
    'waddle-generator.json': generatorHealthBoard(),
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
