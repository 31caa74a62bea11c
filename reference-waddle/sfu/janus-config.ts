// The Janus configuration the reference Waddle writes into a temp folder for its own Janus:
// loopback only everywhere (API, admin API, ICE candidates), no STUN, no IPv6, RTP ports from a
// range, only the VideoRoom plugin and the WebSockets transport loaded. Nothing here is read
// from /etc/janus, so a system-wide Janus configuration cannot widen what this one exposes.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface JanusConfigInput {
  /** the folder the .jcfg files go into (a fresh temp folder) */
  folder: string;
  /** where Janus's plugin/transport .so files are (Debian: /usr/lib/x86_64-linux-gnu/janus) */
  libDir: string;
  /** the Janus API over WebSocket, on 127.0.0.1 */
  wsPort: number;
  /** the Janus admin API over WebSocket, on 127.0.0.1 (metrics); guarded by adminSecret */
  adminWsPort: number;
  adminSecret: string;
  /** VideoRoom's admin_key: only a holder may create rooms (the Waddle server) */
  roomAdminKey: string;
  /** "20000-40000": the UDP ports ICE may bind */
  rtpPortRange: string;
}

/** Writes janus.jcfg and the plugin/transport configs; returns the path of janus.jcfg. */
export async function writeJanusConfig(c: JanusConfigInput): Promise<string> {
  await mkdir(c.folder, { recursive: true });
  const q = (s: string): string => JSON.stringify(s);
  const main = `general: {
  configs_folder = ${q(c.folder)}
  plugins_folder = ${q(join(c.libDir, 'plugins'))}
  transports_folder = ${q(join(c.libDir, 'transports'))}
  events_folder = ${q(join(c.libDir, 'events'))}
  loggers_folder = ${q(join(c.libDir, 'loggers'))}
  log_to_stdout = true
  debug_level = 3  # warnings and errors: kept in memory, shown when Janus fails
  debug_colors = false
  admin_secret = ${q(c.adminSecret)}
  server_name = "reference-waddle-sfu"
  # the address in the SDP's c= line; candidates come from ICE (nat below, loopback-only.c)
  interface = "127.0.0.1"
  session_timeout = 60
  hide_dependencies = true
  protected_folders = [ "/bin", "/boot", "/dev", "/etc", "/initrd", "/lib", "/lib32", "/lib64", "/proc", "/sbin", "/sys", "/usr", "/var" ]
}
certificates: {
}
media: {
  # loopback has no IPv6 use here and a ::1 candidate would only slow ICE down
  ipv6 = false
  ipv6_linklocal = false
  rtp_port_range = ${q(c.rtpPortRange)}
}
nat: {
  # candidates on 127.0.0.1 only: load tests never leave the machine. Janus skips loopback
  # interfaces when gathering, so loopback-only.c (LD_PRELOAD) makes 127.0.0.1 the one usable
  # address; the enforce list says the same for a Janus without the shim. No STUN/TURN.
  ice_enforce_list = "127.0.0.1"
  ignore_mdns = true
  nice_debug = false
}
plugins: {
  disable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_echotest.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_voicemail.so"
}
transports: {
  disable = "libjanus_http.so,libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so"
}
events: {
  broadcast = false
  disable = "libjanus_gelfevh.so,libjanus_mqttevh.so,libjanus_nanomsgevh.so,libjanus_rabbitmqevh.so,libjanus_sampleevh.so,libjanus_wsevh.so"
}
loggers: {
  disable = "libjanus_jsonlog.so"
}
`;
  const websockets = `general: {
  json = "compact"
  ws = true
  ws_port = ${c.wsPort}
  ws_ip = "127.0.0.1"
  wss = false
}
admin: {
  admin_ws = true
  admin_ws_port = ${c.adminWsPort}
  admin_ws_ip = "127.0.0.1"
  admin_wss = false
}
`;
  // rooms are created through the API (one per voice channel), none from this file
  const videoroom = `general: {
  admin_key = ${q(c.roomAdminKey)}
  lock_rtp_forward = true
}
`;
  const path = join(c.folder, 'janus.jcfg');
  await writeFile(path, main);
  await writeFile(join(c.folder, 'janus.transport.websockets.jcfg'), websockets);
  await writeFile(join(c.folder, 'janus.plugin.videoroom.jcfg'), videoroom);
  return path;
}
