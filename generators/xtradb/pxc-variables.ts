/**
 * The system variables Percona XtraDB Cluster 8.0 documents as its own (write-set replication and the
 * pxc_* family), by name, as data: every PXC option the member config sets must be one of them, so a
 * misspelt or MariaDB-only name is caught before a member refuses to start on it.
 * Names only (the list is ours, sorted; no text is taken from the page). Option files accept `-` for `_`;
 * the names here use `_`, as the page does.
 */
export const PXC_VARIABLES_SOURCE = "https://docs.percona.com/percona-xtradb-cluster/8.0/wsrep-system-index.html";

export const PXC_DOCUMENTED_VARIABLES: readonly string[] = [
  "log_query_errors",
  "pxc_encrypt_cluster_traffic",
  "pxc_maint_mode",
  "pxc_maint_transition_period",
  "pxc_strict_mode",
  "replica_enable_event",
  "tf_sequence_table_max_upper_bound",
  "wsrep_applier_FK_checks",
  "wsrep_applier_threads",
  "wsrep_applier_UK_checks",
  "wsrep_auto_increment_control",
  "wsrep_causal_reads",
  "wsrep_certification_rules",
  "wsrep_certify_nonPK",
  "wsrep_cluster_address",
  "wsrep_cluster_name",
  "wsrep_data_home_dir",
  "wsrep_dbug_option",
  "wsrep_debug",
  "wsrep_desync",
  "wsrep_dirty_reads",
  "wsrep_disk_pages_encrypt",
  "wsrep_drupal_282555_workaround",
  "wsrep_forced_binlog_format",
  "wsrep_gcache_encrypt",
  "wsrep_ignore_apply_errors",
  "wsrep_load_data_splitting",
  "wsrep_log_conflicts",
  "wsrep_max_ws_rows",
  "wsrep_max_ws_size",
  "wsrep_min_log_verbosity",
  "wsrep_mode",
  "wsrep_node_address",
  "wsrep_node_incoming_address",
  "wsrep_node_name",
  "wsrep_notify_cmd",
  "wsrep_on",
  "wsrep_OSU_method",
  "wsrep_provider",
  "wsrep_provider_options",
  "wsrep_recover",
  "wsrep_reject_queries",
  "wsrep_replicate_myisam",
  "wsrep_restart_replica",
  "wsrep_restart_slave",
  "wsrep_retry_autocommit",
  "wsrep_RSU_commit_timeout",
  "wsrep_slave_FK_checks",
  "wsrep_slave_threads",
  "wsrep_slave_UK_checks",
  "wsrep_SR_store",
  "wsrep_sst_allowed_methods",
  "wsrep_sst_donor",
  "wsrep_sst_method",
  "wsrep_sst_receive_address",
  "wsrep_start_position",
  "wsrep_sync_wait",
  "wsrep_trx_fragment_size",
  "wsrep_trx_fragment_unit",
];

/** An option name as PXC's list spells it: dashes are underscores in option files. */
export function pxcVariableName(option: string): string {
  return option.replaceAll("-", "_");
}

/** Whether PXC documents `option` as one of its variables (names compare case-insensitively, as MySQL's do). */
export function isDocumentedPxcVariable(option: string): boolean {
  const name = pxcVariableName(option).toLowerCase();
  return PXC_DOCUMENTED_VARIABLES.some((documented) => documented.toLowerCase() === name);
}
