// Package fakecognito is an OpenID Connect issuer for tests that looks like a Cognito user pool
// to a Kubernetes API server: HTTPS on loopback with a CA made for the run, an issuer URL whose
// path is a pool id, discovery and JWKS documents, and ID and access tokens with Cognito's claims.
package fakecognito

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/headlamp-eks/headlamp-eks/tests/internal/testpki"
)

// PoolID is the pool id in the issuer path, shaped like Cognito's.
const PoolID = "us-east-1_Rehearse1"

// Issuer is a running fake Cognito user pool.
type Issuer struct {
	// URL is the issuer (https://127.0.0.1:<port>/<pool id>), as Cognito's would be.
	URL string
	// CAPEM is the CA that signed the server certificate, for --oidc-ca-file.
	CAPEM []byte

	server  *httptest.Server
	key     *rsa.PrivateKey
	keyID   string
	signer  jose.Signer
	rogue   jose.Signer // same key id, different key: a forged signature
	clients map[string]bool
}

// Start serves the issuer on loopback until Close.
func Start() (*Issuer, error) {
	ca, err := testpki.NewCA("fakecognito test CA")
	if err != nil {
		return nil, err
	}
	srv, err := ca.Server("127.0.0.1", nil)
	if err != nil {
		return nil, err
	}

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	rogueKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	is := &Issuer{key: key, keyID: "rehearsal-key-1", clients: map[string]bool{}}
	// Cognito signs with RS256 and names the key in the header.
	if is.signer, err = jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: is.keyID}}, nil); err != nil {
		return nil, err
	}
	if is.rogue, err = jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: rogueKey, KeyID: is.keyID}}, nil); err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	is.server = httptest.NewUnstartedServer(mux)
	is.server.TLS = &tls.Config{Certificates: []tls.Certificate{srv.TLS}}
	is.server.StartTLS()
	is.URL = is.server.URL + "/" + PoolID
	is.CAPEM = ca.PEM

	mux.HandleFunc("/"+PoolID+"/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]interface{}{
			"issuer":                                is.URL,
			"jwks_uri":                              is.URL + "/.well-known/jwks.json",
			"authorization_endpoint":                is.URL + "/oauth2/authorize",
			"token_endpoint":                        is.URL + "/oauth2/token",
			"response_types_supported":              []string{"code", "token"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"scopes_supported":                      []string{"openid", "email", "phone", "profile"},
		})
	})
	mux.HandleFunc("/"+PoolID+"/.well-known/jwks.json", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: is.keyID, Algorithm: "RS256", Use: "sig"}}})
	})
	return is, nil
}

func writeJSON(w http.ResponseWriter, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// Close stops the server.
func (is *Issuer) Close() { is.server.Close() }

// User is who a token is for.
type User struct {
	Sub           string
	Username      string
	Email         string
	EmailVerified bool
	Groups        []string
}

// TokenOptions change a token away from a good one, to test rejections.
type TokenOptions struct {
	// Issuer overrides iss (a token from another pool).
	Issuer string
	// ExpiresIn overrides the lifetime; negative gives an expired token.
	ExpiresIn time.Duration
	// ForgeSignature signs with a key the JWKS does not hold.
	ForgeSignature bool
}

// IDToken mints an ID token as Cognito does for an app client: aud is the client id.
func (is *Issuer) IDToken(clientID string, u User, o TokenOptions) (string, error) {
	c := is.base(u, o)
	c["aud"] = clientID
	c["token_use"] = "id"
	c["email"] = u.Email
	c["email_verified"] = u.EmailVerified
	c["cognito:username"] = u.Username
	c["auth_time"] = c["iat"]
	return is.sign(c, o)
}

// AccessToken mints an access token as Cognito does: client_id and scope, and no aud.
func (is *Issuer) AccessToken(clientID string, u User, scopes string, o TokenOptions) (string, error) {
	c := is.base(u, o)
	c["client_id"] = clientID
	c["token_use"] = "access"
	c["scope"] = scopes
	c["username"] = u.Username
	return is.sign(c, o)
}

func (is *Issuer) base(u User, o TokenOptions) map[string]interface{} {
	now := time.Now()
	life := time.Hour
	if o.ExpiresIn != 0 {
		life = o.ExpiresIn
	}
	iss := is.URL
	if o.Issuer != "" {
		iss = o.Issuer
	}
	c := map[string]interface{}{
		"iss": iss,
		"sub": u.Sub,
		"iat": now.Add(-time.Minute).Unix(),
		"exp": now.Add(life).Unix(),
		"jti": fmt.Sprintf("%d", now.UnixNano()),
	}
	// Cognito adds cognito:groups only when the user is in at least one group.
	if len(u.Groups) > 0 {
		c["cognito:groups"] = u.Groups
	}
	return c
}

func (is *Issuer) sign(claims map[string]interface{}, o TokenOptions) (string, error) {
	s := is.signer
	if o.ForgeSignature {
		s = is.rogue
	}
	return jwt.Signed(s).Claims(claims).Serialize()
}
