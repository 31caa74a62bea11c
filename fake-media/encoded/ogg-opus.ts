// Reading Opus packets out of an Ogg file (what ffmpeg's libopus writes), so a protocol user can
// send pre-encoded Opus in RTP, one packet per RTP packet (RFC 7587), without encoding anything.
// Ogg pages (RFC 3533): "OggS", header, a segment table; a packet is segments joined until one
// shorter than 255 bytes. The first two packets are OpusHead and OpusTags (RFC 7845).
export interface OpusFile {
  readonly channels: number;
  /** samples to drop at the start (encoder delay), at 48 kHz */
  readonly preSkip: number;
  /** the audio packets, in order */
  readonly packets: readonly Buffer[];
}

export function parseOggOpus(file: Buffer, where = 'Ogg Opus'): OpusFile {
  const packets: Buffer[] = [];
  let partial: Buffer[] = [];
  let at = 0;
  while (at < file.length) {
    if (at + 27 > file.length || file.toString('latin1', at, at + 4) !== 'OggS') throw new Error(`${where}: no Ogg page at byte ${at} (truncated or not Ogg; make it with ffmpeg -c:a libopus -f ogg)`);
    const segments = file[at + 26]!;
    const table = file.subarray(at + 27, at + 27 + segments);
    let body = at + 27 + segments;
    for (const lace of table) {
      partial.push(file.subarray(body, body + lace));
      body += lace;
      if (lace < 255) {
        packets.push(Buffer.concat(partial));
        partial = [];
      }
    }
    at = body;
  }
  const [head, tags, ...audio] = packets;
  if (!head || head.toString('latin1', 0, 8) !== 'OpusHead') throw new Error(`${where}: the first packet is not OpusHead: not an Opus stream`);
  if (!tags || tags.toString('latin1', 0, 8) !== 'OpusTags') throw new Error(`${where}: the second packet is not OpusTags`);
  return { channels: head[9]!, preSkip: head.readUInt16LE(10), packets: audio };
}

/** Duration of one Opus packet in ms, from its TOC byte (RFC 6716 §3.1). */
export function opusPacketMs(packet: Buffer): number {
  const toc = packet[0] ?? 0;
  const config = toc >> 3;
  // frame size per configuration: SILK 10/20/40/60, hybrid 10/20, CELT 2.5/5/10/20
  const frameMs = config < 12 ? [10, 20, 40, 60][config % 4]! : config < 16 ? [10, 20][config % 2]! : [2.5, 5, 10, 20][config % 4]!;
  const code = toc & 0x03;
  const frames = code === 0 ? 1 : code === 1 || code === 2 ? 2 : (packet[1] ?? 0) & 0x3f;
  return frameMs * frames;
}
