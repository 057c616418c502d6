package pipeline

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/collectors"
)

// KVState is collectors.State on a JetStream KV bucket.
type KVState struct {
	KV jetstream.KeyValue
	// NC, when set, makes Get read through the bucket stream's leader. A KV Get is a
	// direct get that any replica may answer, so right after a write a follower can
	// return an older value (docs/scaling.md, "Lease design"). A collector replica that
	// takes a source over from a dead one must start from the state its predecessor
	// saved last, or it re-fetches and re-emits what that one already published (which
	// only the posts stream's duplicate window would then drop).
	NC *nats.Conn
}

// Get returns collectors.ErrNoState when the key was never written.
func (s *KVState) Get(ctx context.Context, key string) ([]byte, error) {
	if s.NC != nil {
		return s.leaderGet(ctx, key)
	}
	e, err := s.KV.Get(ctx, stateKey(key))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, collectors.ErrNoState
	}
	if err != nil {
		return nil, fmt.Errorf("state get %s: %w", key, err)
	}
	return e.Value(), nil
}

// Put stores a value durably (the KV bucket is a file-backed stream).
func (s *KVState) Put(ctx context.Context, key string, value []byte) error {
	if _, err := s.KV.Put(ctx, stateKey(key), value); err != nil {
		return fmt.Errorf("state put %s: %w", key, err)
	}
	return nil
}

// stateKey maps an arbitrary state key (source names may hold '/', ':' or spaces) onto
// the KV key alphabet.
func stateKey(k string) string { return base64.RawURLEncoding.EncodeToString([]byte(k)) }

// leaderGet reads the last value of key with the JetStream API's STREAM.MSG.GET, which
// the stream leader answers (never a lagging follower, unlike a direct get).
func (s *KVState) leaderGet(ctx context.Context, key string) ([]byte, error) {
	bucket := s.KV.Bucket()
	req, err := json.Marshal(map[string]string{"last_by_subj": "$KV." + bucket + "." + stateKey(key)})
	if err != nil {
		return nil, err
	}
	msg, err := s.NC.RequestWithContext(ctx, "$JS.API.STREAM.MSG.GET.KV_"+bucket, req)
	if err != nil {
		return nil, fmt.Errorf("state get %s: %w", key, err)
	}
	var resp struct {
		Message *struct {
			Hdrs []byte `json:"hdrs"`
			Data []byte `json:"data"`
		} `json:"message"`
		Error *struct {
			Code        int    `json:"code"`
			ErrCode     int    `json:"err_code"`
			Description string `json:"description"`
		} `json:"error"`
	}
	if err := json.Unmarshal(msg.Data, &resp); err != nil {
		return nil, fmt.Errorf("state get %s: %w", key, err)
	}
	switch {
	case resp.Error != nil && resp.Error.ErrCode == 10037: // no message found
		return nil, collectors.ErrNoState
	case resp.Error != nil:
		return nil, fmt.Errorf("state get %s: %s (%d)", key, resp.Error.Description, resp.Error.ErrCode)
	case resp.Message == nil:
		return nil, fmt.Errorf("state get %s: empty answer", key)
	}
	// A deleted or purged key is a marker message with a KV-Operation header.
	if h := string(resp.Message.Hdrs); strings.Contains(h, "KV-Operation: DEL") || strings.Contains(h, "KV-Operation: PURGE") {
		return nil, collectors.ErrNoState
	}
	return resp.Message.Data, nil
}
