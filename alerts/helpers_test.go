package alerts_test

import (
	"encoding/json"
	"net"
)

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
