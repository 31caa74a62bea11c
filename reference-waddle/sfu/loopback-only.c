/*
 * LD_PRELOAD shim for the reference Waddle's own Janus: ICE on 127.0.0.1 only.
 *
 * Why: Janus gathers host candidates from getifaddrs() but always skips loopback interfaces
 * ("Skip loopback interfaces", src/ice.c, janus_ice_setup_local, Janus 1.1.2), so ice_enforce_list
 * cannot select 127.0.0.1: with nothing enforced libnice falls back to every other address
 * (measured: candidates on eth0 and IPv6). Load tests stay on loopback, and the fleet's host guard
 * accepts loopback candidates, so this shim shows Janus 127.0.0.1 as a plain interface and every
 * other address as down. It changes flags only (glibc frees the list as one block).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

int getifaddrs(struct ifaddrs **out) {
  int (*real)(struct ifaddrs **) = (int (*)(struct ifaddrs **))dlsym(RTLD_NEXT, "getifaddrs");
  int rc = real(out);
  if (rc != 0) return rc;
  for (struct ifaddrs *ifa = *out; ifa; ifa = ifa->ifa_next) {
    int is_lo4 = ifa->ifa_addr && ifa->ifa_addr->sa_family == AF_INET &&
                 ((struct sockaddr_in *)ifa->ifa_addr)->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
    if (is_lo4) ifa->ifa_flags &= ~IFF_LOOPBACK;
    else ifa->ifa_flags &= ~(IFF_UP | IFF_RUNNING);
  }
  return 0;
}
