export { HostFirewall, type HostFirewallProps } from "./host-firewall.js";
