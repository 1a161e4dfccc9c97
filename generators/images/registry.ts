import type { Problem } from "../../src/core/problems.js";
import type { AvailabilitySource } from "../../src/analysis/findings.js";
import { singleReplicaStateFindings } from "../../src/analysis/stateful-data.js";
import { ClusterConstruct, type Preparable } from "../../src/model/base.js";
import { Certificate } from "../../src/model/certificate.js";
import { Cluster } from "../../src/model/cluster.js";
import type { Node } from "../../src/model/node.js";
import { propsShape } from "../../src/model/props-shape.js";
import { Secret } from "../../src/model/secret.js";
import { Service, type Stack } from "../../src/model/stack.js";
import { cisException } from "../docker-host/cis/exceptions.js";
import { ClusterPki } from "../pki/cluster-pki.js";
import { TRUST_DOMAINS } from "../pki/host-paths.js";
import { IMAGES_MESSAGES } from "./messages.js";

export interface RegistryProps {
  /** Stack the registry service is deployed in. */
  readonly stack: Stack;
  /**
   * The node it runs on, pinned: its storage is a node-local named volume (see `volume`). Nodes and build.sh
   * reach it as `<hostname>.<cluster domain>:<port>`, which every node's /etc/hosts resolves to its private address.
   */
  readonly node: Node;
  /** @default 5000 (the seed's) */
  readonly port?: number;
  /**
   * The registry's own image: Docker Hub's, since the registry cannot pull itself from itself.
   * @default "registry:2.8.3"
   */
  readonly image?: string;
  /**
   * Named volume holding the stored images, node-local: the service is pinned to `node` so a reschedule (a
   * task restart, an update) finds it again. Shared storage (a Ceph volume) would let it move instead.
   * @default "registry-data"
   */
  readonly volume?: string;
  /** @default "256M" */
  readonly memoryLimit?: string;
}

export const REGISTRY_PROPS = propsShape<RegistryProps>()({
  stack: "required",
  node: "required",
  port: "optional",
  image: "optional",
  volume: "optional",
  memoryLimit: "optional",
});

/** The registry's TLS material, as Docker secrets (the key never enters out/). */
export const REGISTRY_TLS = { certSecret: "registry_tls_cert", keySecret: "registry_tls_key", certificate: "registry" } as const;

/** Where the registry image (distribution) keeps its storage by default. */
const STORAGE = "/var/lib/registry";

/**
 * The cluster's internal image registry (the seed's, on an app node, port 5000), serving TLS with a certificate
 * of the cluster PKI's `registry` trust domain. Every node's dockerd trusts that CA for the registry's address
 * (`/etc/docker/certs.d/<host>:<port>/ca.crt`, from Ignition), and for nothing else: a registry certificate
 * opens no other domain. It runs in the node's network namespace and listens on the node's private address
 * only, so the registry is not reachable from the public address (the HostFirewall lets only the private
 * network reach host-network listeners). It stores images in a node-local named volume and is pinned to its
 * node: on another node it would start with an empty volume and every tag would be gone. While its node is
 * down, running containers keep their images, but no new task can pull one a node does not have yet.
 */
export class Registry extends ClusterConstruct implements Preparable, AvailabilitySource {
  readonly service: Service;
  /** The node it is pinned to. */
  readonly host: Node;
  readonly port: number;
  readonly volume: string;
  /** `sw-node-1.swarm.internal:5000`: what image references start with, and the folder name under certs.d. */
  readonly address: string;
  private issued: Certificate | undefined;

  constructor(cluster: Cluster, id: string, props: RegistryProps) {
    super(cluster, id);
    props = this.acceptProps(props, REGISTRY_PROPS);
    this.host = props.node;
    this.port = props.port ?? 5000;
    this.volume = props.volume ?? "registry-data";
    this.address = `${props.node.hostname}.${cluster.domain}:${this.port}`;
    const material = { kind: "pki", domain: TRUST_DOMAINS.registry, certificate: REGISTRY_TLS.certificate } as const;
    const cert = new Secret(cluster, REGISTRY_TLS.certSecret, {
      description: `the registry's certificate: pki/${TRUST_DOMAINS.registry}/certs/${REGISTRY_TLS.certificate}.crt`,
    });
    cert.generateAs({ ...material, part: "certificate" });
    const key = new Secret(cluster, REGISTRY_TLS.keySecret, {
      description: `the registry's private key: secrets/pki/${TRUST_DOMAINS.registry}/${REGISTRY_TLS.certificate}.key`,
    });
    key.generateAs({ ...material, part: "key" });
    this.service = new Service(props.stack, "registry", {
      image: props.image ?? "registry:2.8.3",
      placement: { hostname: props.node.hostname },
      // The node's own network: the address below is the node's private one, where the other nodes pull from.
      hostNetwork: true,
      environment: {
        REGISTRY_HTTP_ADDR: `${props.node.privateIp}:${this.port}`,
        REGISTRY_HTTP_TLS_CERTIFICATE: cert.mountPath,
        REGISTRY_HTTP_TLS_KEY: key.mountPath,
        REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: STORAGE,
      },
      secrets: [cert, key],
      volumes: [`${this.volume}:${STORAGE}`],
      memoryLimit: props.memoryLimit ?? "256M",
      // The image is Alpine-based: BusyBox's wget asks the API root over TLS (the probe checks it answers, not
      // whom: the address is the container's own).
      healthcheck: {
        test: ["CMD", "wget", "-q", "--spider", "--no-check-certificate", `https://${props.node.privateIp}:${this.port}/v2/`],
        interval: "30s",
        timeout: "10s",
        retries: 3,
        startPeriod: "10s",
      },
    });
    // Everything it writes is in the volume.
    this.service.override({ read_only: true });
    cisException(this.service, {
      "5.10":
        "the registry listens on its node's private address only (the nodes pull from it there); the host firewall admits only the private network to it",
      "5.21": "on the host network, which shares the host's UTS namespace (the registry reads nothing of it)",
    });
  }

  /** The serving certificate, from the `registry` CA ClusterPki adds for it. */
  prepare(): void {
    const cluster = Cluster.of(this);
    const [pki] = cluster.all(ClusterPki);
    if (!pki) return;
    const fqdn = `${this.host.hostname}.${cluster.domain}`;
    this.issued = new Certificate(pki.authorityFor(TRUST_DOMAINS.registry), REGISTRY_TLS.certificate, {
      commonName: fqdn,
      dnsNames: [fqdn, this.host.hostname],
      ipAddresses: [this.host.privateIp],
      usages: ["server"],
    });
  }

  /** The certificate (once the tree is prepared). */
  get certificate(): Certificate | undefined {
    return this.issued;
  }

  availabilityFindings(): Problem[] {
    return singleReplicaStateFindings({
      service: this.service,
      volume: this.volume,
      holds: "every image pushed to it",
      stops: "no task can start on a node that lacks its image",
    });
  }

  override validateConstruct(): Problem[] {
    const problems: Problem[] = [];
    const cluster = Cluster.of(this);
    if (cluster.all(ClusterPki).length === 0) problems.push(IMAGES_MESSAGES.problem("images/no-pki", this, "", {}));
    if (!Number.isInteger(this.port) || this.port < 1 || this.port > 65535)
      problems.push(IMAGES_MESSAGES.problem("images/port-invalid", this, "port", { value: this.port }));
    if (!cluster.nodes.includes(this.host))
      problems.push(IMAGES_MESSAGES.problem("images/node-outside", this, "node", { node: this.host.path }));
    return problems;
  }
}
