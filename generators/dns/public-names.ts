import type { IConstruct } from "constructs";
import { isPublicEntry } from "../../src/analysis/request-path.js";
import type { Cluster } from "../../src/model/cluster.js";
import type { Node } from "../../src/model/node.js";
import { declaredOf, type Declared } from "../../src/validate/problem.js";
import type { PublicFront } from "./change-batch.js";

/**
 * A construct that serves names of its own on the fronts (an operators' admin host name) declares them
 * here, and the hosted zones point them at the fronts as they do every Site's domains.
 */
export interface PublicDnsNames {
  readonly publicDnsNames: readonly string[];
}

export function hasPublicDnsNames<T>(value: T): value is T & PublicDnsNames {
  return Array.isArray((value as Partial<PublicDnsNames> | undefined)?.publicDnsNames);
}

/** A name DNS must answer, with the construct and field it comes from (for a located error). */
export interface PublicName {
  readonly name: string;
  readonly at: Declared;
  readonly field: string;
}

/** Every Site's domains, then every name a construct declares, lower case, as declared. */
export function publicNames(cluster: Cluster): PublicName[] {
  const fromSites = cluster.sites.flatMap((site) =>
    (Array.isArray(site.domains) ? site.domains : []).map((name, index) => ({ name, at: declaredOf(site), field: `domains[${index}]` })),
  );
  const fromOthers = cluster.node
    .findAll()
    .filter(hasPublicDnsNames)
    .flatMap((construct) =>
      construct.publicDnsNames.map((name, index) => ({ name, at: declaredOf(construct as IConstruct), field: `publicDnsNames[${index}]` })),
    );
  return [...fromSites, ...fromOthers]
    .filter((entry) => typeof entry.name === "string")
    .map((entry) => ({ ...entry, name: entry.name.toLowerCase().replace(/\.$/, "") }));
}

/** The nodes DNS sends visitors to: those running a front (a FrontProxy's nginx) that have a public address. */
export function frontNodes(cluster: Cluster): Node[] {
  const fronts = cluster.node
    .findAll()
    .filter(isPublicEntry)
    .flatMap((entry) => entry.publicEntry.front.eligibleNodes);
  return [...new Set(fronts)].filter((node) => node.publicIp !== undefined);
}

export function publicFronts(cluster: Cluster): PublicFront[] {
  return frontNodes(cluster).map((node) => ({ hostname: node.hostname, ipv4: node.publicIp ?? "", ipv6: node.publicIpv6 }));
}

/** Whether `name` is `zone` itself or a name below it. */
export function isInZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}
