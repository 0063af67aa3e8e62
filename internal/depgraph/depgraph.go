// Package depgraph is the JSON form of the resource graph the program's tests record under mocks
// (HEADLAMP_EKS_GRAPH_OUT): what the engine would order a deploy by. It imports nothing from
// Pulumi, so tools that only read the graph (bench/) stay cheap to build.
package depgraph

// Node is one registration as the engine would see it.
type Node struct {
	URN    string `json:"urn"`
	Type   string `json:"type"`
	Name   string `json:"name"`
	Parent string `json:"parent,omitempty"`
	Custom bool   `json:"custom"`
	// Dependencies are every URN the registration waits for (dependsOn and property dependencies).
	Dependencies []string `json:"dependencies"`
	// Provider is the URN of the explicit provider the resource uses, if any.
	Provider string `json:"provider,omitempty"`
	// References are resources named by resource-reference inputs (e.g. a node group's cluster).
	References []string `json:"references,omitempty"`
}
