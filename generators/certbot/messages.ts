import { entry, shown } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/** What LetsEncrypt's checks report: names certbot could not prove, and settings it would refuse. */
export const CERTBOT_MESSAGES = defineMessages({
  "certbot/no-hosted-zone": entry<Record<string, never>>(
    () => "no HostedZone is declared: certbot's dns-route53 challenge needs the Route53 zone of every name it certifies",
    "declare the sites' zones with `new HostedZone(cluster, id, { name })`",
  ),
  "certbot/email-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} is not an e-mail address`,
    "give the address Let's Encrypt writes to about expiring certificates and account problems, e.g. ops@example.org",
  ),
  "certbot/directory-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} is not an ACME directory`,
    'give "production", "staging" (Let\'s Encrypt\'s test CA, untrusted certificates) or the https:// URL of an ACME directory',
  ),
  "certbot/interval-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} is not a renewal interval`,
    "give whole hours from 1 to 24 (Let's Encrypt advises trying twice a day)",
  ),
  "certbot/volume-not-shared": entry<{ volume: string }>(
    ({ volume }) =>
      `the front's certificates are in ${volume}, which is no CephFS volume of the cluster: what certbot writes on its node no other front would see`,
    'declare a CephFS volume (`volumes: [{ name: "letsencrypt", kind: "cephfs" }]` of CephCluster) and give the front `certificateVolume: ceph.volumes.letsencrypt.hostPath`',
  ),
  "certbot/volume-not-mounted": entry<{ volume: string; nodes: string }>(
    ({ volume, nodes }) =>
      `the certificate volume ${volume} is not mounted on ${nodes}: certbot writes it there, or a front reads it there, and would use the node's own disk`,
    ({ nodes }) => `add ${nodes} to the volume's \`nodes\`, or leave \`nodes\` out so every node using it mounts it`,
  ),
  "certbot/no-certificate": entry<Record<string, never>>(
    () => "the front serves no site and no admin host name: there is nothing to certify",
    "give the FrontProxy sites, or leave LetsEncrypt out",
  ),
});
