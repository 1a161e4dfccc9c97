import ipaddr from "ipaddr.js";

/**
 * The one place for IP address logic, over ipaddr.js. The model takes IPv4 in strict dotted-quad form only:
 * ipaddr.js, like inet_aton, would also read `010.1.1.1` as octal or `10.1` as 10.0.0.1, which nft, Docker
 * and etcd do not agree on, so every check here goes through the four-part decimal form.
 */

/** A network as the model writes it: an IPv4 address with its host bits clear, and a prefix length. */
export interface Cidr {
  readonly network: ipaddr.IPv4;
  readonly broadcast: ipaddr.IPv4;
  readonly prefix: number;
}

/** A dotted-quad IPv4 address: four decimal octets from 0 to 255, none with a leading zero. */
export function isIpv4(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text);
}

/** A dotted quad as a 32-bit number, to order addresses numerically (10.10.1.9 before 10.10.1.10). */
export function ipv4ToNumber(text: string): number {
  return ipaddr.IPv4.parse(text).octets.reduce((number, octet) => number * 256 + octet, 0);
}

/** An IPv4 address (dotted quad) or an IPv6 address without a zone (`%eth0` means nothing off the host). */
export function isIpAddress(text: string): boolean {
  if (isIpv4(text)) return true;
  return ipaddr.IPv6.isValid(text) && !ipaddr.IPv6.parse(text).zoneId;
}

/** An IPv4 network in CIDR form (`10.10.1.0/24`) with its host bits clear; undefined otherwise. */
export function parseCidr(text: string): Cidr | undefined {
  const read = readIpv4Cidr(text);
  if (!read || !hasHostBitsClear(read)) return undefined;
  return { network: read.network, broadcast: ipaddr.IPv4.broadcastAddressFromCIDR(text), prefix: read.prefix };
}

/**
 * For a well-formed IPv4 CIDR whose host bits are set (`10.10.1.5/24`), the network it lies in
 * (`10.10.1.0/24`), which is most likely what was meant; undefined for anything else.
 */
export function alignedNetworkOf(text: string): string | undefined {
  const read = readIpv4Cidr(text);
  return read && !hasHostBitsClear(read) ? `${read.network.toString()}/${read.prefix}` : undefined;
}

/** An IPv4 or IPv6 network in CIDR form with its host bits clear (IPv4 as a dotted quad, IPv6 without a zone). */
export function isNetwork(text: string): boolean {
  if (ipaddr.IPv4.isValidCIDR(text)) return parseCidr(text) !== undefined;
  if (!ipaddr.IPv6.isValidCIDR(text)) return false;
  const [address, prefix] = ipaddr.IPv6.parseCIDR(text);
  return !address.zoneId && hasHostBitsClear({ address, prefix, network: ipaddr.IPv6.networkAddressFromCIDR(text) });
}

/** How many addresses the network spans, its network and broadcast addresses included. */
export function cidrSize(cidr: Cidr): number {
  return 2 ** (32 - cidr.prefix);
}

export function cidrContains(cidr: Cidr, address: string): boolean {
  return isIpv4(address) && ipaddr.IPv4.parse(address).match(cidr.network, cidr.prefix);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  // Two aligned networks overlap only when one holds the other, and then it holds its first address.
  return a.network.match(b.network, b.prefix) || b.network.match(a.network, a.prefix);
}

/**
 * Which of the two addresses a host cannot take `address` is in `cidr`: its network or its broadcast address.
 * A /31 or /32 has neither (RFC 3021), nor does an address outside the network.
 */
export function reservedAddressIn(cidr: Cidr, address: string): "network" | "broadcast" | undefined {
  if (cidr.prefix > 30 || !cidrContains(cidr, address)) return undefined;
  const text = ipaddr.IPv4.parse(address).toString();
  if (text === cidr.network.toString()) return "network";
  if (text === cidr.broadcast.toString()) return "broadcast";
  return undefined;
}

/**
 * An address in one spelling, so that two spellings of one address compare equal: IPv6 as OpenSSL prints it in
 * a certificate (all eight groups, no leading zeros, lower-cased), IPv4 and anything unreadable as given.
 */
export function canonicalIp(address: string): string {
  return ipaddr.IPv6.isValid(address) ? ipaddr.IPv6.parse(address).toNormalizedString() : address;
}

/** What exactly is wrong with a would-be IPv4 address, which "not a valid address" never says. */
export function whyNotIpv4(value: unknown): string {
  if (typeof value !== "string") return "not a string";
  const octets = value.split(".");
  if (octets.length !== 4) return `it has ${octets.length} part(s) separated by dots, not 4`;
  for (const octet of octets) {
    if (!/^\d+$/.test(octet)) return `"${octet}" is not a number`;
    if (octet.length > 1 && octet.startsWith("0")) return `"${octet}" has a leading zero (read as octal by some tools)`;
    if (Number(octet) > 255) return `${octet} is above 255`;
  }
  return "it is not a dotted quad";
}

interface ReadCidr<Address extends ipaddr.IPv4 | ipaddr.IPv6> {
  readonly address: Address;
  readonly prefix: number;
  readonly network: Address;
}

/** A dotted quad and a prefix length from 0 to 32, host bits set or not. */
function readIpv4Cidr(text: string): ReadCidr<ipaddr.IPv4> | undefined {
  if (!ipaddr.IPv4.isValidCIDRFourPartDecimal(text)) return undefined;
  const [address, prefix] = ipaddr.IPv4.parseCIDR(text);
  return { address, prefix, network: ipaddr.IPv4.networkAddressFromCIDR(text) };
}

function hasHostBitsClear(cidr: ReadCidr<ipaddr.IPv4> | ReadCidr<ipaddr.IPv6>): boolean {
  return cidr.address.toNormalizedString() === cidr.network.toNormalizedString();
}
