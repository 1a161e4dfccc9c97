/**
 * The constrained values of the model document: each type's JSDoc tags become its JSON Schema definition
 * (ts-json-schema-generator), and its first sentence is the rule an error message quotes.
 */

/**
 * A lowercase RFC 1123 label: letters a-z, digits and '-', 1 to 63 characters, not starting or ending with '-'
 * (lowercase because Swarm compares `node.hostname` constraints case-sensitively).
 * @pattern ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$
 */
export type Hostname = string;

/**
 * A dotted-quad IPv4 address such as 10.10.1.21.
 * @format ipv4
 */
export type Ipv4Address = string;

/**
 * An IPv4 network in CIDR notation such as 10.10.1.0/24.
 * @pattern ^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])/([0-9]|[12][0-9]|3[0-2])$
 */
export type Cidr = string;

/**
 * A DNS name: dot-separated RFC 1123 labels, at most 253 characters, such as swarm.internal.
 * @pattern ^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$
 */
export type DnsName = string;

/**
 * An OpenSSH public key line: key type, base64 key, optional comment.
 * @pattern ^(ssh-[a-z0-9-]+|ecdsa-sha2-nistp(256|384|521)|sk-[a-z0-9@.-]+) [A-Za-z0-9+/=]+( .*)?$
 */
export type SshPublicKey = string;

/**
 * A TCP/UDP port number from 1 to 65535.
 * @asType integer
 * @minimum 1
 * @maximum 65535
 */
export type Port = number;

/**
 * An MTU from 576 (the IPv4 minimum) to 9216 (jumbo frames).
 * @asType integer
 * @minimum 576
 * @maximum 9216
 */
export type Mtu = number;

/**
 * A whole number of tasks, 0 or more.
 * @asType integer
 * @minimum 0
 */
export type TaskCount = number;

/**
 * A Linux interface name: 1 to 15 letters, digits, '.', '_' or '-'.
 * @pattern ^[a-zA-Z0-9._-]{1,15}$
 */
export type InterfaceName = string;

/**
 * A Docker object name (network, secret, service): letters, digits, '_', '.' and '-', starting with a letter or digit.
 * @pattern ^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$
 */
export type DockerName = string;

/**
 * A stack name: lowercase letters, digits, '_' and '-', starting with a letter or digit (it prefixes every service name).
 * @pattern ^[a-z0-9][a-z0-9_-]{0,62}$
 */
export type StackName = string;

/**
 * A Docker image reference: [registry[:port]/]name[:tag][@digest], the name in lowercase, e.g. percona/proxysql:1.4.
 * @pattern ^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*(:[0-9]+)?/)?[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*(/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*(:[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127})?(@[A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$
 */
export type ImageReference = string;

/**
 * A memory size: a number and an optional unit b, k, m or g, e.g. 128M or 1.5G.
 * @pattern ^[0-9]+(\.[0-9]+)?([bkmgBKMG][bB]?)?$
 */
export type MemorySize = string;

/**
 * A number of CPUs, more than 0, e.g. 0.5 or 2.
 * @exclusiveMinimum 0
 */
export type CpuCount = number;

/**
 * Node labels: keys of letters, digits, '.', '_' and '-'; values without whitespace.
 * @propertyNames {"pattern": "^[a-zA-Z0-9]([a-zA-Z0-9._-]*[a-zA-Z0-9])?$"}
 */
export type Labels = Record<string, LabelValue>;

/**
 * A label value: one or more characters, no whitespace (it is written into `node.labels.key == value` constraints).
 * @pattern ^\S+$
 */
export type LabelValue = string;

/**
 * A failure domain (zone, datacentre, rack): letters, digits, '.', '_' and '-', 1 to 63 characters; it becomes the node's `zone` label.
 * @pattern ^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$
 */
export type Zone = string;

/**
 * A node label's key, as a placement preference names it: letters, digits, '.', '_' and '-'.
 * @pattern ^[a-zA-Z0-9]([a-zA-Z0-9._-]*[a-zA-Z0-9])?$
 */
export type LabelKey = string;

/**
 * Environment variables: names of letters, digits and '_', not starting with a digit.
 * @propertyNames {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}
 */
export type Environment = Record<string, string>;

/**
 * An absolute path.
 * @pattern ^/
 */
export type AbsolutePath = string;

/**
 * A cluster name: not empty, no leading or trailing whitespace.
 * @pattern ^\S(.*\S)?$
 */
export type ClusterName = string;
