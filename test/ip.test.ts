import { describe, expect, it } from "vitest";
import {
  alignedNetworkOf,
  canonicalIp,
  cidrContains,
  cidrSize,
  cidrsOverlap,
  ipv4ToNumber,
  isIpAddress,
  isIpv4,
  isNetwork,
  parseCidr,
  reservedAddressIn,
  whyNotIpv4,
} from "../src/core/ip.js";

function cidr(text: string) {
  const parsed = parseCidr(text);
  if (!parsed) throw new Error(`${text} should parse`);
  return parsed;
}

describe("IPv4 addresses", () => {
  it("takes dotted quads only, none of the shorthand inet_aton reads differently from nft", () => {
    for (const good of ["10.10.1.21", "0.0.0.0", "255.255.255.255"]) expect(isIpv4(good), good).toBe(true);
    for (const bad of ["010.10.1.21", "10.1", "0x0a.10.1.21", "167772161", "10.10.1.256", "10.10.1.21 ", "fd00::1", ""]) {
      expect(isIpv4(bad), bad).toBe(false);
    }
  });

  it.each([
    ["10.10.1.256", "256 is above 255"],
    ["10.010.1.2", '"010" has a leading zero (read as octal by some tools)'],
    ["10.10.1", "it has 3 part(s) separated by dots, not 4"],
    ["10.10.x.1", '"x" is not a number'],
  ])("says why %s is not one", (value, reason) => {
    expect(isIpv4(value)).toBe(false);
    expect(whyNotIpv4(value)).toBe(reason);
  });

  it("orders numerically", () => {
    expect(ipv4ToNumber("10.10.1.9")).toBeLessThan(ipv4ToNumber("10.10.1.10"));
    expect(ipv4ToNumber("1.0.0.0")).toBe(2 ** 24);
  });
});

describe("IPv4 networks", () => {
  it("parses a network with its host bits clear, and nothing looser", () => {
    expect(cidrSize(cidr("10.10.1.0/24"))).toBe(256);
    expect(cidrSize(cidr("0.0.0.0/0"))).toBe(2 ** 32);
    for (const bad of ["10.10.1.5/24", "10.10.1.0/33", "10.10.1.0", "010.10.1.0/24", "10.10.1.0/24/1", "10.10/16"]) {
      expect(parseCidr(bad), bad).toBeUndefined();
    }
  });

  it("names the network a CIDR with host bits set lies in, and only for such a CIDR", () => {
    expect(alignedNetworkOf("192.168.20.5/24")).toBe("192.168.20.0/24");
    expect(alignedNetworkOf("10.10.1.21/16")).toBe("10.10.0.0/16");
    expect(alignedNetworkOf("192.168.20.0/24")).toBeUndefined();
    expect(alignedNetworkOf("192.168.20.300/24")).toBeUndefined();
  });

  it("tells membership and overlap", () => {
    expect(cidrContains(cidr("10.10.1.0/24"), "10.10.1.255")).toBe(true);
    expect(cidrContains(cidr("10.10.1.0/24"), "10.10.2.0")).toBe(false);
    expect(cidrContains(cidr("10.10.1.0/24"), "not an address")).toBe(false);
    expect(cidrsOverlap(cidr("10.10.0.0/16"), cidr("10.10.1.0/24"))).toBe(true);
    expect(cidrsOverlap(cidr("10.10.1.0/24"), cidr("10.10.0.0/16"))).toBe(true);
    expect(cidrsOverlap(cidr("10.10.1.0/24"), cidr("10.10.2.0/24"))).toBe(false);
  });

  it("finds the network and broadcast addresses a host cannot take, which /31 and /32 do not have", () => {
    expect(reservedAddressIn(cidr("10.10.1.0/24"), "10.10.1.0")).toBe("network");
    expect(reservedAddressIn(cidr("10.10.1.0/24"), "10.10.1.255")).toBe("broadcast");
    expect(reservedAddressIn(cidr("10.10.1.0/24"), "10.10.1.1")).toBeUndefined();
    expect(reservedAddressIn(cidr("10.10.1.0/31"), "10.10.1.0")).toBeUndefined();
    expect(reservedAddressIn(cidr("10.10.1.0/24"), "10.10.2.0")).toBeUndefined();
  });
});

describe("addresses and networks of either family (firewall sources)", () => {
  it("accepts IPv4 and IPv6 addresses, not zones, names or shorthand", () => {
    for (const good of ["198.51.100.7", "2001:db8::1", "::ffff:198.51.100.7"]) expect(isIpAddress(good), good).toBe(true);
    for (const bad of ["fe80::1%eth0", "example.org", "198.51.100", "2001:db8::/32"]) expect(isIpAddress(bad), bad).toBe(false);
  });

  it("accepts networks with their host bits clear in both families", () => {
    for (const good of ["198.51.100.0/24", "0.0.0.0/0", "2001:db8::/32", "::/0"]) expect(isNetwork(good), good).toBe(true);
    for (const bad of ["198.51.100.7/24", "2001:db8::1/32", "2001:db8::/129", "fe80::%eth0/64", "198.51.100.0", "010.0.0.0/8"]) {
      expect(isNetwork(bad), bad).toBe(false);
    }
  });

  it("spells IPv6 the one way OpenSSL prints it in a certificate, IPv4 as given", () => {
    expect(canonicalIp("FD00:0000::0001")).toBe("fd00:0:0:0:0:0:0:1");
    expect(canonicalIp("10.10.1.21")).toBe("10.10.1.21");
  });
});
