// Test fixture for media-cache.test.ts: a producer that writes half a file into the cache and
// then hangs, as ffmpeg does when its run is killed mid-way. argv: <cacheDir>
import { appendFile } from 'node:fs/promises';
import { cachedFile } from './media-cache.ts';

const cacheDir = process.argv[2]!;
void cachedFile(cacheDir, 'camera-1280x720-30', 'y4m', 'feedfacefeedface', async (tmp) => {
  await appendFile(tmp, Buffer.alloc(1 << 20));
  console.log(`writing ${tmp}`);
  await new Promise(() => {}); // never finishes
});
setInterval(() => {}, 1000);
