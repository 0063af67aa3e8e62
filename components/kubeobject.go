package components

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The few Kubernetes objects this program creates (a namespace, a Secret, ClusterRoleBindings)
// are registered by their type token instead of through the SDK's typed API packages: importing
// core/v1 alone costs 40 s of CPU and 2.8 GB of compiler memory on every cold build, more than
// all the rest of the program (bench/README.md). The Kubernetes provider receives exactly the
// same registration either way; the rehearsal deploys these objects through it for real.

// kubeObject is a Kubernetes object of any kind.
type kubeObject struct {
	pulumi.CustomResourceState

	Metadata pulumi.MapOutput `pulumi:"metadata"`
}

// ElementType makes a kubeObject usable as an input (a resource reference).
func (*kubeObject) ElementType() reflect.Type { return reflect.TypeOf((**kubeObject)(nil)).Elem() }

// name is the object's name as the API server knows it (after auto-naming).
func (o *kubeObject) name() pulumi.StringOutput {
	return o.Metadata.ApplyT(func(m map[string]interface{}) string {
		n, _ := m["name"].(string)
		return n
	}).(pulumi.StringOutput)
}

// newKubeObject registers an object of apiVersion and kind (e.g. "v1", "Secret") with fields as
// its body; metadata is one of them.
func newKubeObject(ctx *pulumi.Context, name, apiVersion, kind string, fields pulumi.Map, opts ...pulumi.ResourceOption) (*kubeObject, error) {
	group, version, ok := strings.Cut(apiVersion, "/")
	if !ok {
		group, version = "core", apiVersion
	}
	body := pulumi.Map{"apiVersion": pulumi.String(apiVersion), "kind": pulumi.String(kind)}
	for k, v := range fields {
		body[k] = v
	}
	o := &kubeObject{}
	if err := ctx.RegisterResource(fmt.Sprintf("kubernetes:%s/%s:%s", group, version, kind), name, body, o, opts...); err != nil {
		return nil, err
	}
	return o, nil
}
