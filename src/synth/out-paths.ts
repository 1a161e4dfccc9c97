/** A node as its files are named: by hostname. */
interface Host {
  readonly hostname: string;
}
import type { Stack, StackConfig } from "../model/stack.js";

/**
 * Where everything goes in out/: the one naming rule, so that a construct never chooses an out/ path and two
 * constructs of one kind (two FrontProxy, two Monitoring) never collide. Stack-level files follow the stack
 * and the construct's id in it; host-level files follow the node's hostname and the path on the host;
 * cluster-wide files follow the family that writes them. Generators and the commands that read out/ name
 * paths through here only.
 */
export const OUT_PATHS = {
  /** `stacks/front.yml`: what `docker stack deploy -c` reads. */
  stackFile: (stack: Stack): string => `stacks/${stack.name}.yml`,
  /** `stacks/front/nginx.conf`: a Docker config beside its stack file, named by its id in the stack. */
  stackConfig: (config: StackConfig): string => `stacks/${config.stack.name}/${config.name}`,
  /** The stack file's reference to a config file: relative to the stack file, as `docker stack deploy` reads it. */
  stackConfigReference: (config: StackConfig): string => `./${config.stack.name}/${config.name}`,
  /** `nodes/sw-node-1/<file>`: what one node boots with (config.ign, apply.sh, readable copies). */
  nodeFile: (node: Host, relative: string): string => `nodes/${node.hostname}/${relative}`,
  /**
   * `shared/<file>`: what nodes share, written once: the day-2 apply logic (`shared/apply.sh`) and each
   * readable copy whose bytes are the same on every node that has it (`shared/files/etc/hosts`), so a change
   * to it is one change in a diff, not one per node.
   */
  sharedNodeFile: (relative: string): string => `shared/${relative}`,
  /** `nodes/sw-node-1/config.ign`: the node's Ignition config, its user-data without the private key. */
  nodeIgnition: (node: Host): string => `nodes/${node.hostname}/config.ign`,
  /**
   * `<family>/<file>`: a cluster-wide file a family's generator writes for people or for the operator's tools
   * (`analysis/ha-report.md`, `swarm/bootstrap.sh`, `pki/ca.crt`).
   */
  familyFile: (family: string, relative: string): string => `${family}/${relative}`,
  /** `dns/example.org.json`: a hosted zone's Route53 ChangeBatch (`aws route53 change-resource-record-sets --change-batch file://…`). */
  dnsChangeBatch: (zone: string): string => `dns/${zone}.json`,
  /** `dns/example.org.health-checks.json`: the CreateHealthCheck requests its multivalue records reference, by front. */
  dnsHealthChecks: (zone: string): string => `dns/${zone}.health-checks.json`,
  /** `certbot/iam-policy.json`: the least-privilege IAM policy of certbot's Route53 credentials. */
  certbotIamPolicy: (prefix = ""): string => `certbot/${prefix}iam-policy.json`,
  /** `certbot/bootstrap.sh`: writes the self-signed certificates the first deploy starts nginx with. */
  certbotBootstrap: (prefix = ""): string => `certbot/${prefix}bootstrap.sh`,
  /** `images/nginx-waf/Dockerfile`: a file of an image's build context, which build.sh builds from. */
  imageFile: (image: string, relative: string): string => `images/${image}/${relative}`,
  /** `images/build.sh`: builds every image with the tag the stacks reference, and pushes it. */
  imageBuildScript: "images/build.sh",
  /** The reviewer's page at the top of out/: the topology, tolerated failures, findings, bring-up order. */
  reviewerReadme: "README.md",
  /** The topology drawn by Graphviz, which the reviewer's page links. */
  topologySvg: "topology.svg",
  /** The availability report, which `diff` compares against. */
  availabilityReport: { json: "analysis/ha-report.json", markdown: "analysis/ha-report.md" },
  /** The CIS Docker Benchmark check of every node's and service's generated configuration. */
  cisDockerReport: { json: "analysis/cis-docker.json", markdown: "analysis/cis-docker.md" },
} as const;
