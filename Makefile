# Gugugo Desktop. `make run` and `make test` set up a fresh Debian 12 machine (with Go and npm) on their own.
GO      ?= go
BIN     := build/gugugo
LIBDIR  := build/lib
# The binary finds llama.cpp in lib/ beside itself (see inference/llama); -trimpath keeps the source path out of it.
GOFLAGS_BUILD := -trimpath

.PHONY: all deps build gpu run test bench clean

all: build

deps:
	bash scripts/deps.sh build

build: deps
	$(GO) build $(GOFLAGS_BUILD) -o $(BIN) .
	mkdir -p $(LIBDIR)
	cp -u deps/llama/lib/*.so $(LIBDIR)/
	cp -u deps/llama/LICENSE $(LIBDIR)/LICENSE.llama.cpp
	bash scripts/gpu.sh --auto $(LIBDIR)

# GPU backend plugins of the same llama.cpp release for the GPU and runtime this machine has (make build fetches
# them too when it finds a GPU); CUDA from source: scripts/cuda-plugin.sh.
gpu:
	bash scripts/gpu.sh $(LIBDIR)

run: build
	./$(BIN)

# Test packages run one at a time (-p 1): llama.cpp spin-waits on one thread per core, and two test processes at
# once on a small machine slow each other down by an order of magnitude.
test:
	bash scripts/deps.sh test
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...
	LANG=en_US.UTF-8 $(GO) test -race -count=1 -p 1 ./...
	$(MAKE) build
	bash scripts/cli-test.sh
	bash scripts/gui-test.sh

bench: build
	@test -n "$(MODEL)" || { echo "usage: make bench MODEL=file.gguf"; exit 2; }
	./$(BIN) bench --model $(MODEL)

clean:
	rm -rf build
