/**
 * Images of the logs stack, pinned. The seed ran the 6.6 `-oss` images (2019). Why each line:
 *
 * - Elasticsearch 8.19 (the last 8.x minor, still patched): since 8.16 its source is offered under the AGPLv3,
 *   an OSI-approved licence, beside the Elastic licences; the free default distribution has security (users,
 *   roles, transport TLS) and index lifecycle management. OpenSearch (Apache-2.0) was weighed: the Beats refuse
 *   to ship to any server but Elasticsearch since 7.13, and the last Filebeat that talks to OpenSearch (7.12.1
 *   OSS, 2021) is no longer maintained; a maintained Filebeat with its nginx, MySQL, system and auditd modules
 *   decides for Elasticsearch.
 * - Kibana, Filebeat and Packetbeat of the same release: the Beats load their index template and ingest
 *   pipelines into the engine of their own version, and Kibana must match the engine's minor.
 * - Journalbeat (the seed's) is gone: Filebeat's journald input replaced it in 7.16, so no image is pinned.
 * - Cerebro 0.9.4 is its latest release (2021); it is a plain HTTP client of the engine's REST API, which
 *   8.x keeps, and it holds no data. The seed's admin tool, kept because the issue names it.
 */
export const ELASTIC_VERSION = "8.19.10";

export const IMAGES = {
  elasticsearch: `docker.elastic.co/elasticsearch/elasticsearch:${ELASTIC_VERSION}`,
  kibana: `docker.elastic.co/kibana/kibana:${ELASTIC_VERSION}`,
  // The default image, not the Wolfi one: only it carries journalctl, which the journald input runs.
  filebeat: `docker.elastic.co/beats/filebeat:${ELASTIC_VERSION}`,
  packetbeat: `docker.elastic.co/beats/packetbeat:${ELASTIC_VERSION}`,
  cerebro: "lmenezes/cerebro:0.9.4",
} as const;
