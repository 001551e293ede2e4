# The two commands a newcomer needs (see README.md): `make demo` and `make test`.
.PHONY: test demo pkg bench clean

test:
	bash scripts/test.sh

demo:
	bash scripts/demo.sh

pkg:
	bash scripts/install.sh
	bash scripts/build-pkg.sh
	node_modules/.bin/typedoc --options scripts/typedoc.json

bench:
	bash scripts/bench.sh

clean:
	cargo clean
	rm -rf pkg dist .tmp
