// The RTP packets a protocolMedia user sends and receives, taken past werift's per-packet code:
// werift keeps ICE, DTLS, SRTCP and RTCP (sender and receiver reports, NACK, PLI), and everything
// else when a connection is not the simple case below. Why: profiled in bench:media-protocol,
// werift's RTP path cost most of a user's CPU — per sent packet five nested async functions, an NTP
// time through number-to-string parsing, header objects serialized field by field; per received
// packet its header parser reading bits through strings, a codec name split out of its MIME type
// twice, an RtpPacket clone and an async closure per event layer. The packets on the wire are the
// same (srtp-gcm.ts interoperates with werift's SRTP), and werift's own books are kept as werift
// keeps them (sender counts and timestamps for its SRs, receiver statistics for its RRs, the NACK
// generator), so Janus and the peer see what they saw before.
// The simple case: SRTP AEAD_AES_128_GCM, no RTP header extension negotiated, no RED; and for
// receiving, a stream known by its SSRC (from the SDP) whose first packet werift already handled
// (it sets its statistics and RTCP up on it). Anything else goes through werift unchanged.
// None of this patches werift: it reads werift's objects and replaces two per-instance hooks (the
// UDP transport's onData, the sender's handleRtcpPacket), typed below as far as they are used.
import type { Socket } from 'node:dgram';
import { GenericNack, RtcpTransportLayerFeedback, RtpHeader, RtpPacket, type RTCPeerConnection, type RTCRtpReceiver, type RTCRtpSender } from 'werift';
import type { InboundStream } from './inbound-stream.ts';
import { RTP_HEADER_BYTES, SrtpGcm, type WeriftSrtpContext } from './srtp-gcm.ts';

/** On by default; off measures werift's own path (bench:media-protocol -- --werift-rtp). */
let enabled = true;
export function setRtpFastPath(on: boolean): void {
  enabled = on;
}

type Address = [string, number];
interface UdpTransport {
  readonly socket: Socket;
  readonly closed?: boolean;
  onData: (data: Buffer, addr: Address) => void;
}
interface IcePair {
  readonly protocol: { readonly transport: UdpTransport };
  readonly remoteAddr: Address;
  packetsSent: number;
  bytesSent: number;
  packetsReceived: number;
  bytesReceived: number;
}
interface DtlsTransport {
  readonly state: string;
  readonly srtp?: { readonly localContext: WeriftSrtpContext; readonly remoteContext: WeriftSrtpContext };
  readonly iceTransport: { readonly connection: { readonly nominated?: IcePair } };
  bytesSent: number;
  packetsSent: number;
  bytesReceived: number;
  packetsReceived: number;
}
interface Sender {
  readonly ssrc: number;
  readonly codec?: { readonly payloadType: number };
  readonly seqOffset: number;
  readonly timestampOffset: number;
  readonly headerExtensions: readonly unknown[];
  readonly redRedundantPayloadType?: number;
  readonly dtlsTransport: DtlsTransport;
  packetCount: number;
  octetCount: number;
  headerBytesSent: number;
  ntpTimestamp: bigint;
  rtpTimestamp: number;
  sequenceNumber: number;
  timestamp: number;
  readonly rtpCache: (RtpPacket | undefined)[];
  runRtcp(): Promise<void>;
  handleRtcpPacket(packet: { type: number; feedback?: { count?: number; lost?: number[] } }): void;
}
/** the part of an RtpPacket werift's receiver statistics and NACK generator read */
interface PacketView {
  header: { sequenceNumber: number; timestamp: number; ssrc: number; serializeSize: number };
  payload: Buffer;
}
interface Receiver {
  readonly dtlsTransport: DtlsTransport;
  readonly stopped: boolean;
  readonly nackEnabled: unknown;
  readonly remoteStreams: Record<number, { add(packet: PacketView): void } | undefined>;
  readonly nack: { addPacket(packet: PacketView): void };
}

/** NACK history, as werift's (RTP_HISTORY_SIZE) */
const HISTORY = 128;
/** NTP (1900) to Unix (1970) epoch, ms */
const NTP_UNIX_OFFSET_MS = 2_208_988_800_000;

function ntpNow(): bigint {
  const ms = performance.timeOrigin + performance.now() + NTP_UNIX_OFFSET_MS;
  const seconds = Math.floor(ms / 1000);
  return (BigInt(seconds) << 32n) | BigInt(Math.floor(((ms - seconds * 1000) / 1000) * 0x1_0000_0000));
}

/** Sends one sender's RTP straight to the ICE pair's socket, keeping werift's sender books. */
export class FastRtpSender {
  private readonly srtp: SrtpGcm;
  private readonly payloads: (Buffer | undefined)[] = new Array<Buffer | undefined>(HISTORY);
  private readonly seqs = new Int32Array(HISTORY).fill(-1);
  private readonly timestamps = new Uint32Array(HISTORY);
  private readonly markers = new Uint8Array(HISTORY);
  private rtcpStarted = false;

  private constructor(
    private readonly sender: Sender,
    private readonly dtls: DtlsTransport,
    context: WeriftSrtpContext,
  ) {
    this.srtp = new SrtpGcm(context);
    const original = sender.handleRtcpPacket.bind(sender);
    // a NACK is answered by werift from its rtpCache, which this path does not fill per packet: fill the asked-for slots first
    sender.handleRtcpPacket = (packet) => {
      if (packet.type === RtcpTransportLayerFeedback.type && packet.feedback?.count === GenericNack.count) this.fillCache(packet.feedback.lost ?? []);
      original(packet);
    };
  }

  /** The fast path for a connected sender in the simple case, else undefined (werift's sendRtp then). */
  static for(weriftSender: RTCRtpSender): FastRtpSender | undefined {
    if (!enabled) return undefined;
    const sender = weriftSender as unknown as Sender;
    const dtls = sender.dtlsTransport;
    const context = dtls?.srtp?.localContext;
    if (dtls?.state !== 'connected' || !SrtpGcm.supports(context) || sender.headerExtensions.length > 0 || sender.redRedundantPayloadType) return undefined;
    return new FastRtpSender(sender, dtls, context);
  }

  /** One frame's packets (the pacer's sequence and timestamp, as werift's sendRtp takes them); false when nothing could leave. */
  sendFrame(payloads: readonly Buffer[], firstSequence: number, timestamp: number, markLast: boolean): boolean {
    const s = this.sender;
    const pair = this.dtls.iceTransport.connection.nominated;
    const codec = s.codec;
    if (this.dtls.state !== 'connected' || !pair || !codec || pair.protocol.transport.closed) return false;
    const socket = pair.protocol.transport.socket;
    const [host, port] = pair.remoteAddr;
    const ts = (timestamp + s.timestampOffset) >>> 0;
    const last = payloads.length - 1;
    for (let i = 0; i <= last; i++) {
      const payload = payloads[i]!;
      const seq = (firstSequence + i + s.seqOffset) & 0xffff;
      const marker = markLast && i === last;
      const packet = this.srtp.protect(s.ssrc, codec.payloadType, seq, ts, marker, payload);
      socket.send(packet, port, host);
      const slot = seq % HISTORY;
      this.payloads[slot] = payload;
      this.seqs[slot] = seq;
      this.timestamps[slot] = ts;
      this.markers[slot] = marker ? 1 : 0;
      s.sequenceNumber = seq;
      s.octetCount += payload.length;
      s.headerBytesSent += RTP_HEADER_BYTES;
      s.packetCount = (s.packetCount + 1) >>> 0;
      this.dtls.bytesSent += packet.length;
      this.dtls.packetsSent += 1;
      pair.packetsSent += 1;
      pair.bytesSent += packet.length;
    }
    s.timestamp = ts;
    s.rtpTimestamp = ts;
    s.ntpTimestamp = ntpNow();
    if (!this.rtcpStarted) {
      this.rtcpStarted = true;
      void s.runRtcp(); // sender reports, as werift starts them on its first sent packet
    }
    return true;
  }

  private fillCache(lost: readonly number[]): void {
    const s = this.sender;
    for (const seq of lost) {
      const slot = seq % HISTORY;
      const payload = this.payloads[slot];
      if (!payload || this.seqs[slot] !== seq || !s.codec) continue;
      const header = new RtpHeader({ ssrc: s.ssrc, payloadType: s.codec.payloadType, sequenceNumber: seq, timestamp: this.timestamps[slot]!, marker: this.markers[slot] === 1 });
      s.rtpCache[slot] = new RtpPacket(header, payload);
    }
  }
}

interface Sink {
  readonly stream: InboundStream;
  readonly payloadType: number;
  readonly receiver: Receiver;
  readonly video: boolean;
}

/**
 * Receives the RTP of one connection's known streams before werift's ICE sees the datagram: SRTP
 * checked and opened here, counted into our InboundStream and werift's receiver books.
 */
export class FastRtpReceiver {
  private readonly sinks = new Map<number, Sink>();
  /** werift's RTP router of the connection: the header extensions it negotiated (id → URI) */
  private readonly router: { readonly extIdUriMap: Readonly<Record<number, string>> };
  private readonly view: PacketView = { header: { sequenceNumber: 0, timestamp: 0, ssrc: 0, serializeSize: 0 }, payload: Buffer.alloc(0) };
  private srtp: SrtpGcm | undefined;
  private dtls: DtlsTransport | undefined;
  private pair: IcePair | undefined;

  constructor(pc: RTCPeerConnection) {
    this.router = (pc as unknown as { router: FastRtpReceiver['router'] }).router;
  }

  /** A remote stream (ontrack) to take over once its connection is up. */
  watch(ssrc: number | undefined, payloadType: number | undefined, receiver: RTCRtpReceiver, stream: InboundStream): void {
    if (ssrc === undefined || payloadType === undefined) return;
    this.sinks.set(ssrc >>> 0, { stream, payloadType, receiver: receiver as unknown as Receiver, video: stream.kind !== 'audio' });
    this.install();
  }

  /** The connection is up (or a stream was added): hook its transport once, in the simple case. */
  install(): void {
    if (!enabled || this.srtp || this.sinks.size === 0) return;
    const dtls = this.sinks.values().next().value!.receiver.dtlsTransport;
    const context = dtls?.srtp?.remoteContext;
    const pair = dtls?.iceTransport.connection.nominated;
    // a negotiated header extension (transport-cc, a RID, ...) has werift's per-packet work to do: its path
    if (dtls?.state !== 'connected' || !SrtpGcm.supports(context) || !pair || Object.keys(this.router.extIdUriMap).length > 0) return;
    this.srtp = new SrtpGcm(context);
    this.dtls = dtls;
    this.pair = pair;
    const transport = pair.protocol.transport;
    const werift = transport.onData;
    transport.onData = (data, addr) => {
      if (!this.take(data)) werift(data, addr);
    };
  }

  /** true when the datagram was ours (received or dropped as werift would drop it) */
  private take(data: Buffer): boolean {
    const b0 = data[0]!;
    const b1 = data[1]!;
    // RTP (RFC 7983: first byte 128–191), not RTCP (packet types 192–223)
    if (data.length < RTP_HEADER_BYTES || (b0 & 0xc0) !== 0x80 || (b1 >= 192 && b1 <= 223)) return false;
    const ssrc = data.readUInt32BE(8);
    const sink = this.sinks.get(ssrc);
    if (!sink || (b1 & 0x7f) !== sink.payloadType || sink.receiver.stopped) return false;
    const stats = sink.receiver.remoteStreams[ssrc];
    if (!stats) return false; // werift takes the first packet: it sets up its statistics and RTCP on it
    let headerBytes = RTP_HEADER_BYTES + 4 * (b0 & 0x0f);
    if (b0 & 0x10) {
      if (data.length < headerBytes + 4) return false;
      headerBytes += 4 + 4 * data.readUInt16BE(headerBytes + 2);
    }
    const seq = data.readUInt16BE(2);
    this.pair!.packetsReceived += 1;
    this.pair!.bytesReceived += data.length;
    this.dtls!.packetsReceived += 1;
    this.dtls!.bytesReceived += data.length;
    let payload = this.srtp!.unprotect(data, headerBytes, ssrc, seq);
    if (!payload) return true;
    if (b0 & 0x20 && payload.length > 0) payload = payload.subarray(0, Math.max(0, payload.length - payload[payload.length - 1]!));
    const timestamp = data.readUInt32BE(4);
    const v = this.view;
    v.header.sequenceNumber = seq;
    v.header.timestamp = timestamp;
    v.header.ssrc = ssrc;
    v.header.serializeSize = headerBytes;
    v.payload = payload;
    stats.add(v);
    if (sink.video && sink.receiver.nackEnabled) sink.receiver.nack.addPacket(v);
    sink.stream.receiveParts(seq, timestamp, (b1 & 0x80) !== 0, payload, performance.now());
    return true;
  }
}
