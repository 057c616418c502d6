package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"strings"
	"testing"
)

var benchBody = []byte(`{"type":"exposure.incident.new","evidence":"` + strings.Repeat("x", 2000) + `"}`)

// BenchmarkSignatureHeader signs a 2 KB alert with two keys (a rotation).
func BenchmarkSignatureHeader(b *testing.B) {
	k1, _ := ParseSecret(vecSecret)
	k2, _ := ParseSecret(otherSec)
	for b.Loop() {
		_ = SignatureHeader([][]byte{k1, k2}, "inc_x.1.hook", 1700000000, benchBody)
	}
}

// BenchmarkBaselineRawHMAC is two bare HMAC-SHA256 computations over the same bytes.
func BenchmarkBaselineRawHMAC(b *testing.B) {
	k1, _ := ParseSecret(vecSecret)
	k2, _ := ParseSecret(otherSec)
	for b.Loop() {
		for _, k := range [][]byte{k1, k2} {
			m := hmac.New(sha256.New, k)
			m.Write(benchBody)
			_ = m.Sum(nil)
		}
	}
}
