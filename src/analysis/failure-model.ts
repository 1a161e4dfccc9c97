import type { IConstruct } from "constructs";
import type { Cluster } from "../model/cluster.js";
import type { Node } from "../model/node.js";
import { Service } from "../model/stack.js";
import { declaredOf, type Declared } from "../validate/problem.js";
import type { MajorityGroup } from "../validate/quorum-group.js";
import { isPublicEntry, isReplicatedData, isSqlProxyStage } from "./request-path.js";
import { majorityGroupsOf } from "./majority-groups.js";

/** A majority group with its voters as node indices. */
export interface GroupEntry {
  readonly at: Declared;
  readonly group: MajorityGroup;
  readonly voters: readonly number[];
}

/** A service with the nodes its placement selects, as indices, computed once. */
export interface ServiceEntry {
  readonly service: Service;
  readonly eligible: readonly number[];
  /** Tasks it runs with every node up. */
  readonly replicas: number;
  /** One task on every eligible node (global, or one per node): any survivor still runs one. */
  readonly onEveryNode: boolean;
}

/** One hop of the request path: served while one of its services runs, a node is up, and its group keeps its majority. */
export interface PathStage {
  /** How a person names the hop: "DNS", "front", "php", "proxysql", "database". */
  readonly role: string;
  readonly at: Declared;
  /** Service indices, any of which serves the hop; empty when the hop needs no service. */
  readonly services: readonly number[];
  /** Node indices, any of which serves the hop (DNS: the fronts' public addresses); undefined when any will do. */
  readonly nodes?: readonly number[];
  /** The group index whose majority the hop needs (the database's). */
  readonly group?: number;
}

/** A data set copied whole onto each of its services' nodes (or held by one service in its volumes). */
export interface DataSetEntry {
  readonly at: Declared;
  readonly services: readonly number[];
  /** On the request path: its loss breaks the application, not only a tool. */
  readonly onPath: boolean;
}

/**
 * The cluster reduced to what a node failure can take away, indexed once so that a scenario costs only
 * the memberships of the nodes it loses: which groups a node votes in, which services can run on it.
 */
export interface FailureModel {
  readonly cluster: Cluster;
  readonly nodes: readonly Node[];
  /** Node indices of each declared failure domain, by zone name, sorted by name. */
  readonly zones: ReadonlyMap<string, readonly number[]>;
  readonly groups: readonly GroupEntry[];
  /** Index of the Swarm managers' group: without its majority nothing is rescheduled. */
  readonly swarmGroup: number;
  readonly services: readonly ServiceEntry[];
  readonly paths: readonly (readonly PathStage[])[];
  readonly dataSets: readonly DataSetEntry[];
  /** For each node, the index of each group it holds a vote in (twice for two votes). */
  readonly votesOf: readonly (readonly number[])[];
  /** For each node, the services whose placement selects it. */
  readonly servicesOf: readonly (readonly number[])[];
}

/** The hostname of a node index, as every finding and description names the node. */
export function hostnameOf(model: FailureModel, node: number): string {
  return model.nodes[node]?.hostname ?? "";
}

/** The hostnames of node indices, in the order given. */
export function hostnames(model: FailureModel, nodes: readonly number[]): string[] {
  return nodes.map((node) => hostnameOf(model, node));
}

export function buildFailureModel(cluster: Cluster): FailureModel {
  const nodes = cluster.nodes;
  const indexOf = new Map(nodes.map((node, index) => [node, index]));
  const indices = (list: readonly Node[]): number[] =>
    list.map((node) => indexOf.get(node)).filter((index): index is number => index !== undefined);
  const constructs = cluster.node.findAll();

  const groups = majorityGroupsOf(cluster).map(({ at, group }) => ({ at, group, voters: indices(group.voterNodes) }));

  const serviceList = cluster.all(Service);
  const serviceIndex = new Map(serviceList.map((service, index) => [service, index]));
  const services = serviceList.map((service): ServiceEntry => {
    const eligible = indices(service.eligibleNodes);
    const onEveryNode = service.spreadOnePerNode;
    return { service, eligible, replicas: onEveryNode ? eligible.length : service.replicaCount, onEveryNode };
  });

  const votesOf = nodes.map((): number[] => []);
  groups.forEach((entry, group) => {
    for (const voter of entry.voters) votesOf[voter]?.push(group);
  });
  const servicesOf = nodes.map((): number[] => []);
  services.forEach((entry, service) => {
    for (const node of entry.eligible) servicesOf[node]?.push(service);
  });

  const zoneNames = [...new Set(nodes.map((node) => node.zone).filter((zone): zone is string => typeof zone === "string"))].sort();
  const zones = new Map(zoneNames.map((zone) => [zone, indices(nodes.filter((node) => node.zone === zone))]));

  const groupOf = (construct: object): number | undefined => {
    const index = groups.findIndex((entry) => entry.group === construct);
    return index < 0 ? undefined : index;
  };
  const serviceOf = (service: Service): number[] => {
    const index = serviceIndex.get(service);
    return index === undefined ? [] : [index];
  };

  const paths = constructs.filter(isPublicEntry).map((entry): PathStage[] => {
    const { front, app } = entry.publicEntry;
    const fronts = front.eligibleNodes;
    const reachable = fronts.some((node) => node.publicIp) ? fronts.filter((node) => node.publicIp) : fronts;
    const stages: PathStage[] = [
      { role: "DNS", at: front, services: [], nodes: indices(reachable) },
      { role: front.name, at: front, services: serviceOf(front) },
      { role: app.name, at: app, services: serviceOf(app) },
    ];
    // The proxies the application reaches: those on an overlay it shares.
    const proxies = constructs
      .filter(isSqlProxyStage)
      .filter((stage) => stage.sqlProxyStage.proxy.networks.some((network) => app.networks.includes(network)));
    const [first] = proxies;
    if (!first) return stages;
    stages.push({
      role: first.sqlProxyStage.proxy.name,
      at: first.sqlProxyStage.proxy,
      services: proxies.flatMap((stage) => serviceOf(stage.sqlProxyStage.proxy)),
    });
    const database = first.sqlProxyStage.database;
    const copies = isReplicatedData(database) ? database.dataCopies : [];
    const group = groupOf(database);
    stages.push({
      role: "database",
      at: declaredOf(database as IConstruct),
      services: copies.flatMap(serviceOf),
      ...(group === undefined ? {} : { group }),
    });
    return stages;
  });

  // A service declared critical that no family placed on a path is a path of its own.
  const placed = new Set(paths.flatMap((stages) => stages.flatMap((stage) => stage.services)));
  services.forEach((entry, index) => {
    if (entry.service.props.critical && !placed.has(index))
      paths.push([{ role: entry.service.name, at: entry.service, services: [index] }]);
  });
  const onPath = new Set(paths.flatMap((stages) => stages.flatMap((stage) => stage.services)));
  const dataSets = constructs.filter(isReplicatedData).map((construct): DataSetEntry => {
    const copies = construct.dataCopies.flatMap(serviceOf);
    return { at: declaredOf(construct), services: copies, onPath: copies.some((copy) => onPath.has(copy)) };
  });

  return {
    cluster,
    nodes,
    zones,
    groups,
    swarmGroup: 0,
    services,
    paths,
    dataSets,
    votesOf,
    servicesOf,
  };
}
