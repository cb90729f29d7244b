# Gugugo Desktop. `make run` and `make test` set up a fresh Debian 12 machine (with Go and npm) on their own.
GO      ?= go
BIN     := build/gugugo
LIBDIR  := build/lib
VERSION := $(shell sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)
# The binary finds llama.cpp in lib/ beside itself (see inference/llama); -trimpath keeps the source path out of it.
GOFLAGS_BUILD := -trimpath -ldflags "-X github.com/gugugo-desktop/gugugo/cli.Version=$(VERSION)"

.PHONY: all deps build server gpu run test fuzz bench package package-test windows windows-package windows-test clean

all: build

deps:
	bash scripts/deps.sh build

build: deps
	$(GO) build $(GOFLAGS_BUILD) -o $(BIN) .
	mkdir -p $(LIBDIR)
	cp -u deps/llama/lib/*.so $(LIBDIR)/
	cp -u deps/llama/LICENSE $(LIBDIR)/LICENSE.llama.cpp
	bash scripts/gpu.sh --auto $(LIBDIR)

# The server build: the same commands without the window (-tags nogui), so that it starts on a machine without X11
# or OpenGL libraries, such as a headless GPU server.
SERVER_DIR := build/server
server: deps
	$(GO) build -tags nogui $(GOFLAGS_BUILD) -o $(SERVER_DIR)/gugugo .
	mkdir -p $(SERVER_DIR)/lib
	cp -u deps/llama/lib/*.so $(SERVER_DIR)/lib/
	cp -u deps/llama/LICENSE $(SERVER_DIR)/lib/LICENSE.llama.cpp

# GPU backend plugins of the same llama.cpp release for the GPU and runtime this machine has (make build fetches
# them too when it finds a GPU), and the CUDA plugin built from source where none of them runs and the CUDA
# toolkit is here (scripts/cuda-plugin.sh).
gpu:
	bash scripts/gpu.sh $(LIBDIR)

run: build
	./$(BIN)

# Test packages run one at a time (-p 1): llama.cpp spin-waits on one thread per core, and two test processes at
# once on a small machine slow each other down by an order of magnitude. The remote engine is tested against
# llama.cpp's llama-server, built once from the pinned source into ~/.cache/gugugo (scripts/llama-server.sh).
test:
	bash scripts/deps.sh test
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./... && $(GO) vet -tags nogui . && $(WINENV) $(GO) vet ./...
	GUGUGO_LLAMA_SERVER=$$(bash scripts/llama-server.sh) LANG=en_US.UTF-8 $(GO) test -race -count=1 -p 1 ./...
	$(MAKE) build
	bash scripts/cli-test.sh
	bash scripts/gui-test.sh
	bash scripts/offline-test.sh
	$(MAKE) windows-test

# Every fuzz target for FUZZTIME each (default 1m); the inputs that failed once are run by every go test.
fuzz: deps
	bash scripts/fuzz.sh

bench: build
	@test -n "$(MODEL)" || { echo "usage: make bench MODEL=file.gguf"; exit 2; }
	./$(BIN) bench --model $(MODEL)

# Packages: a .deb (nfpm, installed into deps/bin by the set-up) and a .tar.xz with an installer for a home folder.
# Both hold the binary, its llama.cpp CPU libraries in a private folder found from the binary's own location, the
# desktop entry, the icons, the licences, scripts/gpu.sh to add a GPU plugin to the installed app, and a systemd
# user unit for gugugo serve. A third, the server tarball, holds the server build (no window) and the same unit.
PKG     := build/pkg
ROOT    := $(PKG)/root/usr
TARDIR  := $(PKG)/gugugo-$(VERSION)
SRVDIR  := $(PKG)/gugugo-server-$(VERSION)
package:
	bash scripts/deps.sh package
	$(GO) build -trimpath -ldflags "-s -w -X github.com/gugugo-desktop/gugugo/cli.Version=$(VERSION)" -o $(PKG)/gugugo .
	rm -rf $(PKG)/root $(TARDIR)
	install -D -m 0755 $(PKG)/gugugo $(ROOT)/bin/gugugo
	install -d $(ROOT)/lib/gugugo $(ROOT)/share/applications $(ROOT)/share/doc/gugugo $(ROOT)/share/gugugo
	install -m 0644 deps/llama/lib/*.so $(ROOT)/lib/gugugo/
	install -m 0644 packaging/io.github.gugugo_desktop.gugugo.desktop $(ROOT)/share/applications/
	for s in 48 64 128 256 512; do install -D -m 0644 assets/icons/gugugo-$$s.png 		$(ROOT)/share/icons/hicolor/$${s}x$${s}/apps/io.github.gugugo_desktop.gugugo.png; done
	install -m 0644 assets/fonts/OFL.txt $(ROOT)/share/doc/gugugo/OFL-NanumGothic.txt
	install -m 0644 deps/llama/LICENSE $(ROOT)/share/doc/gugugo/LICENSE.llama.cpp
	install -m 0755 scripts/gpu.sh $(ROOT)/share/gugugo/gpu.sh
	install -D -m 0644 packaging/gugugo-serve.service $(ROOT)/lib/systemd/user/gugugo-serve.service
	VERSION=$(VERSION) deps/bin/nfpm package --config packaging/nfpm.yaml --packager deb --target build/
	mkdir -p $(TARDIR) && cp -R $(ROOT)/bin $(ROOT)/lib $(ROOT)/share $(TARDIR)/
	install -m 0755 packaging/install.sh $(TARDIR)/install.sh
	tar -C $(PKG) -cJf build/gugugo-$(VERSION)-linux-amd64.tar.xz gugugo-$(VERSION)
	$(GO) build -tags nogui -trimpath -ldflags "-s -w -X github.com/gugugo-desktop/gugugo/cli.Version=$(VERSION)" -o $(PKG)/gugugo-server .
	rm -rf $(SRVDIR) && install -D -m 0755 $(PKG)/gugugo-server $(SRVDIR)/bin/gugugo
	install -d $(SRVDIR)/lib/gugugo $(SRVDIR)/share/gugugo $(SRVDIR)/share/doc/gugugo
	install -m 0644 deps/llama/lib/*.so $(SRVDIR)/lib/gugugo/
	install -m 0644 deps/llama/LICENSE $(SRVDIR)/share/doc/gugugo/LICENSE.llama.cpp
	install -m 0755 scripts/gpu.sh $(SRVDIR)/share/gugugo/gpu.sh
	install -m 0644 packaging/gugugo-serve.service $(SRVDIR)/share/gugugo/gugugo-serve.service
	install -m 0755 packaging/install-server.sh $(SRVDIR)/install.sh
	tar -C $(PKG) -cJf build/gugugo-server-$(VERSION)-linux-amd64.tar.xz gugugo-server-$(VERSION)
	@ls -l build/*.deb build/*.tar.xz

package-test: package
	bash scripts/package-test.sh build/gugugo_$(VERSION)_amd64.deb build/gugugo-$(VERSION)-linux-amd64.tar.xz \
		build/gugugo-server-$(VERSION)-linux-amd64.tar.xz

# Windows, cross-built here with mingw-w64 (docs/windows.md): gugugo.exe is the window (no console window),
# gugugo-cli.exe the same program for a terminal. lib\ holds llama.cpp for Windows (v0.4.0, the newest release
# npm has for it) and lib\gpu\ the Vulkan plugin; the CUDA plugin is a separate download (it is 145 MB).
WIN    := build/windows
WINENV := CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc
comma  := ,
WINLDFLAGS := -s -w -X github.com/gugugo-desktop/gugugo/cli.Version=$(VERSION)
windows:
	bash scripts/deps.sh windows
	cd packaging/windows && x86_64-w64-mingw32-windres -DVERSION_NUM=$(subst .,$(comma),$(VERSION))$(comma)0 \
		'-DVERSION_STR=\"$(VERSION)\"' -O coff -o ../../rsrc_windows_amd64.syso gugugo.rc
	$(WINENV) $(GO) build -trimpath -ldflags "$(WINLDFLAGS) -H windowsgui" -o $(WIN)/gugugo.exe .
	$(WINENV) $(GO) build -trimpath -ldflags "$(WINLDFLAGS)" -o $(WIN)/gugugo-cli.exe .
	rm -f rsrc_windows_amd64.syso
	mkdir -p $(WIN)/lib/gpu
	cp -u deps/windows/lib/*.dll $(WIN)/lib/
	cp -u deps/windows/gpu/vulkan-ggml-vulkan.dll $(WIN)/lib/gpu/
	cp -u deps/llama/LICENSE $(WIN)/LICENSE.llama.cpp.txt
	cp -u assets/fonts/OFL.txt $(WIN)/OFL-NanumGothic.txt

# The installer (NSIS, per user), the portable .zip, and the CUDA plugin's .zip, to unpack into the install folder.
WINPKG := build/gugugo-$(VERSION)-windows-x64
windows-package: windows
	makensis -V2 -DVERSION=$(VERSION) -DVERSION4=$(VERSION).0 -DSRC=$(abspath $(WIN)) \
		-DOUT=$(abspath $(WINPKG)-setup.exe) packaging/windows/gugugo.nsi
	rm -rf $(WIN)/zip $(WINPKG).zip $(WINPKG)-cuda-plugin.zip
	mkdir -p $(WIN)/zip/Gugugo/lib/gpu $(WIN)/cuda/lib/gpu
	cp -R $(WIN)/gugugo.exe $(WIN)/gugugo-cli.exe $(WIN)/*.txt $(WIN)/lib $(WIN)/zip/Gugugo/
	cd $(WIN)/zip && zip -q -r $(abspath $(WINPKG)).zip Gugugo
	cp deps/windows/gpu/cuda-ggml-cuda.dll $(WIN)/cuda/lib/gpu/
	cd $(WIN)/cuda && zip -q -r $(abspath $(WINPKG))-cuda-plugin.zip lib
	@ls -l $(WINPKG)*

# The Windows build under Wine and Xvfb (scripts/windows-test.sh).
windows-test: windows-package
	bash scripts/windows-test.sh

clean:
	rm -rf build
