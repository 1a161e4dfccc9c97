/**
 * An operator key in the OpenSSH format for clusters a test declares by hand: a cluster must list at least
 * one key (cluster/no-ssh-keys), or nobody could log in to its nodes.
 */
export const TEST_SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOZ14CSBxurgLVcn78zKrg/OOeRDpovcov+rBEssPvJ5 operator@test";
