package fakecognito

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

func TestTokensVerifyAgainstTheServedKeys(t *testing.T) {
	is, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	defer is.Close()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(is.CAPEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}

	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	get := func(url string, v interface{}) {
		resp, err := client.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	get(is.URL+"/.well-known/openid-configuration", &disc)
	if disc.Issuer != is.URL {
		t.Fatalf("discovery issuer %q, URL %q", disc.Issuer, is.URL)
	}
	var keys jose.JSONWebKeySet
	get(disc.JWKSURI, &keys)

	u := User{Sub: "1", Username: "alice", Email: "alice@example.com", EmailVerified: true, Groups: []string{"admins"}}
	parse := func(raw string) (map[string]interface{}, error) {
		tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
		if err != nil {
			return nil, err
		}
		var c map[string]interface{}
		return c, tok.Claims(keys, &c)
	}
	id, _ := is.IDToken("client-1", u, TokenOptions{})
	c, err := parse(id)
	if err != nil || c["aud"] != "client-1" || c["token_use"] != "id" || c["iss"] != is.URL {
		t.Fatalf("ID token %v %v", c, err)
	}
	access, _ := is.AccessToken("client-1", u, "openid email", TokenOptions{})
	if c, err := parse(access); err != nil || c["aud"] != nil || c["client_id"] != "client-1" {
		t.Fatalf("access token %v %v", c, err)
	}
	forged, _ := is.IDToken("client-1", u, TokenOptions{ForgeSignature: true})
	if _, err := parse(forged); err == nil {
		t.Fatal("forged token verified")
	}
	noGroups, _ := is.IDToken("client-1", User{Sub: "2", Email: "b@example.com"}, TokenOptions{})
	if c, _ := parse(noGroups); c["cognito:groups"] != nil {
		t.Fatal("cognito:groups present for a user in no group")
	}
}
