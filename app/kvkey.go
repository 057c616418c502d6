package app

import (
	"encoding/base64"

	"go.yaml.in/yaml/v3"
)

type yamlNode = yaml.Node

// kvKey maps an arbitrary state key (source names may hold '/', ':' or spaces) onto the
// KV key alphabet.
func kvKey(k string) string { return base64.RawURLEncoding.EncodeToString([]byte(k)) }
