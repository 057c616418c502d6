# kuzot — see README.md. `make run` and `make test` are the two commands a new user needs.
SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin
GO ?= go
BIN := bin/kuzot
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: help build run test test-short bench chaos fmt fmtcheck vet lint tidy clean clickhouse-start clickhouse-stop ch-cluster-up ch-cluster-down test-ch-cluster demo-site compose-check nats-cluster-up nats-cluster-down cluster-up cluster-down cluster-run cluster-status

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

build: ## build bin/kuzot
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/kuzot

run: build ## run everything locally: ClickHouse, demo site, every role (Ctrl-C stops)
	scripts/run-local.sh

test: ## vet + unit, integration and fuzz-seed tests against real ClickHouse/JetStream (installs what it needs)
	scripts/test.sh

test-short: ## fast unit tests only (no services)
	$(GO) test -short -count=1 ./...

bench: build ## run the benchmarks and write docs/benchmarks.md
	scripts/bench.sh

chaos: build ## long fault-injection suite (each scenario's checks are printed)
	scripts/test.sh -tags chaos -run Chaos -v ./chaos/

fmt: ## gofmt the tree
	gofmt -w $$(git ls-files '*.go')

fmtcheck: ## fail if gofmt would change anything
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet: ## go vet
	$(GO) vet ./...

lint: fmtcheck vet ## formatting and vet

tidy: ## go mod tidy
	$(GO) mod tidy

demo-site: build ## serve only the demo "public web" on 127.0.0.1:8090
	$(BIN) demo-site --listen 127.0.0.1:8090

clickhouse-start: ## start the project-local ClickHouse (data/clickhouse, port 9000)
	scripts/clickhouse-local.sh start data/clickhouse $${KUZOT_CLICKHOUSE_TCP_PORT:-9000}

clickhouse-stop: ## stop the project-local ClickHouse
	scripts/clickhouse-local.sh stop data/clickhouse

ch-cluster-up: ## start the local ClickHouse cluster: ZooKeeper + 2 shards x 2 replicas (data/clickhouse-cluster)
	scripts/clickhouse-cluster-local.sh up

ch-cluster-down: ## stop the local ClickHouse cluster
	scripts/clickhouse-cluster-local.sh down

test-ch-cluster: ## ClickHouse cluster tests (brings the local cluster up; kills replicas and ZooKeeper)
	KUZOT_TEST_CLICKHOUSE_CLUSTER=local $(GO) test -count=1 -timeout 20m -run 'TestIntegrationClickHouseCluster|TestClusterRewrite|TestShardingKeys' ./storage

nats-cluster-up: ## start a 3-node JetStream cluster of `kuzot jetstream` on loopback (data/nats-cluster)
	scripts/nats-cluster-local.sh up data/nats-cluster

nats-cluster-down: ## stop the local JetStream cluster
	scripts/nats-cluster-local.sh down data/nats-cluster

cluster-up: build ## the whole local cluster: 3 NATS nodes, ZooKeeper, 2x2 ClickHouse, schema migrated (data/cluster)
	scripts/cluster-local.sh up

cluster-run: build ## cluster-up, then two replicas of every role with the demo config (Ctrl-C stops the roles)
	scripts/cluster-local.sh run

cluster-status: ## what of the local cluster runs
	scripts/cluster-local.sh status

cluster-down: ## stop the local cluster (roles, ClickHouse, ZooKeeper, NATS; data stays)
	scripts/cluster-local.sh down

compose-check: ## validate docker-compose.yml (docker compose plugin or docker-compose)
	$(GO) test -count=1 -run Compose ./deploy

clean: ## remove build output (keeps data/)
	rm -rf bin
