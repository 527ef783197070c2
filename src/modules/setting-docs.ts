/**
 * What each module and provider setting means, by declaration name, for docs/settings.md
 * (`npm run docs:settings`). Defaults, checks and /v2/features exposure come from the
 * declarations themselves; this table only says what a key is for. A unit test fails when a
 * declared key (default, path setting, exposed setting, validated key) has no entry here, and
 * when docs/settings.md is not what the generator produces. Keys without a default (optional
 * settings) are listed here too and shown as "unset". `enabled` is described by the generator.
 */
export const MODULE_SETTING_DOCS: Record<string, Record<string, string>> = {
  tftp: {
    tftproot:
      'Folder of the TFTP tree: per-host boot configs (`pxelinux.cfg/`, `grub2/`…) and downloaded kernels (`boot/`). Keep it the same folder as `httpboot`\'s `root_dir`.',
    tftp_servername: 'Returned by `GET /tftp/serverName`: the TFTP server name or address Foreman puts in `next-server`. Unset: `GET /tftp/serverName` answers `{"serverName":""}`.',
    tftp_connect_timeout: 'Seconds to wait for the connection of a `POST /tftp/fetch_boot_file` download.',
    verify_server_cert: '`fetch_boot_file` over HTTPS checks the origin\'s certificate. `false` accepts any certificate.',
  },
  dhcp: {
    use_provider: 'The DHCP back end: `dhcp_isc` (ISC dhcpd), `dhcp_kea` (ISC Kea) or `dhcp_libvirt` (a libvirt network). Its settings go in `settings.d/<provider>.yml`.',
    server: 'Host of the DHCP server\'s management interface: for `dhcp_isc`, the OMAPI address (`omapi_port`). Not used by `dhcp_kea` (see its `url`) nor `dhcp_libvirt`.',
    subnets: 'Accepted for compatibility (the Ruby proxy\'s Microsoft provider filters scopes with it); no provider here uses it.',
    ping_free_ip: '`GET /dhcp/<net>/unused_ip` probes a candidate address (TCP port 7, then one ICMP echo) and skips it when something answers.',
  },
  dhcp_isc: {
    config: 'dhcpd\'s configuration file, read at start and on every leases-file rewrite (subnets, static hosts, `include`s).',
    leases: 'dhcpd\'s leases file, followed as dhcpd appends to it (leases, hosts created over OMAPI).',
    omapi_port: 'dhcpd\'s OMAPI port (`omapi-port` in dhcpd.conf); reservations are written there, at `server` from dhcp.yml.',
    key_name: 'Name of the OMAPI key (`key NAME { … }` and `omapi-key NAME;` in dhcpd.conf). Used only when `key_secret` is set too.',
    key_secret: 'Base64 secret of that key.',
    key_algorithm:
      'This project\'s addition: the key\'s algorithm, `hmac-md5` (what the Ruby proxy\'s omshell used), `hmac-sha1`, `hmac-sha224`, `hmac-sha256`, `hmac-sha384` or `hmac-sha512`.',
    blacklist_duration_minutes:
      'How long `unused_ip` does not offer an address again. Read as **seconds**, as the Ruby proxy does (1800 = 30 minutes).',
  },
  dhcp_kea: {
    url: 'Kea\'s command API: the Control Agent (Kea ≤ 2.6, `http://127.0.0.1:8000/` in Debian\'s default), or from Kea 2.7.2 the DHCPv4 daemon\'s HTTP control socket. `http://` or `https://`.',
    username: 'HTTP basic-auth user of the Control Agent (`authentication.clients`). Unset: no authentication.',
    password: 'Password of `username`.',
    ca_file: 'PEM CA bundle that signed Kea\'s HTTPS certificate. Unset: the system\'s trusted CAs.',
    client_cert: 'PEM client certificate for an agent with `cert-required: true`. Set together with `client_key`.',
    client_key: 'PEM key of `client_cert`.',
    timeout: 'Seconds one command may take before Kea counts as not answering.',
    service: 'Kea service every command is addressed to.',
    blacklist_duration_minutes:
      'How long `unused_ip` does not offer an address again, read as **seconds** like the ISC provider\'s setting (1800 = 30 minutes).',
  },
  dhcp_libvirt: {
    url: 'libvirt connection URI, anything `virsh -c` accepts (`qemu:///system`, `qemu+ssh://root@kvm1/system`). Must have a scheme.',
    network: 'Name of the libvirt network whose DHCP reservations the proxy manages.',
  },
  httpboot: {
    root_dir: 'Folder served under `/httpboot` and `/EFI` (public, for firmware). The same folder as `tftp`\'s `tftproot`.',
    http_port:
      'Not read from httpboot.yml: the global `http_port` when the module is enabled for HTTP, else `null`. Foreman builds HTTP boot URLs from it.',
    https_port:
      'Not read from httpboot.yml: the global `https_port` when the module is enabled for HTTPS **and** HTTPS is configured, else `null`. Foreman builds HTTPS boot URLs from it.',
  },
  logs: {},
};

/** Pages of docs/ that explain a module or provider further, linked from its section. */
export const MODULE_DOC_PAGES: Record<string, string[]> = {
  tftp: ['tftp.md', 'troubleshooting.md'],
  dhcp: ['dhcp-module.md', 'dhcp-http-boot.md'],
  dhcp_isc: ['dhcp-isc.md', 'dhcp-isc-files.md', 'dhcp-isc-omapi.md'],
  dhcp_kea: ['dhcp-kea.md'],
  dhcp_libvirt: ['dhcp-libvirt.md'],
  httpboot: ['https-boot.md', 'dhcp-http-boot.md'],
  logs: ['troubleshooting.md'],
};
