package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// The move commands refuse what they cannot do before connecting anywhere.
func TestMoveFlagsAreChecked(t *testing.T) {
	t.Setenv("KUZOT_CLICKHOUSE_CLUSTER", "")
	t.Setenv("KUZOT_NATS_URL", "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"migrate", "--from-addr", "old:9000"}, "--from-addr and --from-user need --copy-from"},
		{[]string{"migrate", "--copy-from", "kuzot"}, "set clickhouse.cluster"},
		{[]string{"jetstream", "copy"}, "--from is required"},
		{[]string{"jetstream", "copy", "--from", "nats://old:4222"}, "nats.url (KUZOT_NATS_URL) must name the cluster"},
	} {
		var out, errb bytes.Buffer
		if code := dispatch(context.Background(), tc.args, stdio{out: &out, err: &errb}); code == 0 || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %q", tc.args, code, errb.String(), tc.want)
		}
	}
}
