// Package testpki makes the short-lived certificates loopback tests need: a CA per run and
// server or client certificates signed by it.
package testpki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"sync/atomic"
	"time"
)

// CA is a certificate authority that lives for one test run.
type CA struct {
	// PEM is the CA certificate, for clients' trust stores and --*-ca-file flags.
	PEM []byte

	cert   *x509.Certificate
	key    *ecdsa.PrivateKey
	serial atomic.Int64
}

// Leaf is an issued certificate with its key, in PEM and as a tls.Certificate.
type Leaf struct {
	CertPEM []byte
	KeyPEM  []byte
	TLS     tls.Certificate
}

// NewCA makes a CA valid for a day.
func NewCA(name string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	ca := &CA{PEM: PEM("CERTIFICATE", der), cert: cert, key: key}
	ca.serial.Store(1)
	return ca, nil
}

// Server issues a serving certificate for loopback and the given DNS names and IPs.
func (ca *CA) Server(cn string, dnsNames []string, ips ...string) (*Leaf, error) {
	t := ca.template(cn, nil)
	t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	t.DNSNames = dnsNames
	for _, ip := range append([]string{"127.0.0.1"}, ips...) {
		t.IPAddresses = append(t.IPAddresses, net.ParseIP(ip))
	}
	return ca.issue(t)
}

// Client issues a client certificate; Kubernetes reads cn as the user and orgs as groups.
func (ca *CA) Client(cn string, orgs ...string) (*Leaf, error) {
	t := ca.template(cn, orgs)
	t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	return ca.issue(t)
}

func (ca *CA) template(cn string, orgs []string) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber: big.NewInt(ca.serial.Add(1)), Subject: pkix.Name{CommonName: cn, Organization: orgs},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
}

func (ca *CA) issue(t *x509.Certificate) (*Leaf, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.CreateCertificate(rand.Reader, t, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, err
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	l := &Leaf{CertPEM: PEM("CERTIFICATE", der), KeyPEM: PEM("EC PRIVATE KEY", kb)}
	l.TLS, err = tls.X509KeyPair(l.CertPEM, l.KeyPEM)
	return l, err
}

// PEM encodes one block.
func PEM(typ string, b []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}) }
