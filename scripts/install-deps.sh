#!/usr/bin/env bash
# Installs the Debian packages the integration tests and benchmarks need.
# Idempotent: packages already present are skipped, so a warm machine pays nothing.
set -euo pipefail
want=(iproute2 iputils-ping openssl curl isc-dhcp-server isc-dhcp-client kea-dhcp4-server kea-ctrl-agent
      qemu-system-x86 ovmf grub-efi-amd64-bin grub-common mtools dosfstools nginx-light wrk
      libvirt-daemon libvirt-clients iptables dnsmasq-base tcpdump chromium
      vsftpd)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
# Debian's maintainer scripts would start the daemons; the tests start their own copies.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
