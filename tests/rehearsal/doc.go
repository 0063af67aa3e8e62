// Package rehearsal rehearses the whole sign-in chain on loopback: the real Pulumi engine deploys
// the product's RBAC and Headlamp components into a real kube-apiserver whose OIDC authenticator
// trusts a Cognito-shaped issuer, and Cognito-shaped tokens are checked against it.
//
// The test carries the build tag `rehearsal` and needs the tools scripts/tools.sh builds:
// run it with `make rehearsal` (or `scripts/test.sh rehearsal`).
package rehearsal
