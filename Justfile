# Sextant's everyday commands. `just --list` shows them.

# Compile the spec into generated/.
build:
    cargo run -- build

# Fail when generated/ is not what the spec produces; writes nothing.
check:
    cargo run -- check

# Every check and test, installing promtool and amtool when missing (what CI runs).
test:
    bash ci/test.sh

# Formatting and clippy.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# Review changed insta snapshots (needs `cargo install cargo-insta`).
snapshots:
    cargo insta review --workspace

# Record every changed snapshot without review, then read the diff with git.
snapshots-accept:
    INSTA_UPDATE=always cargo test --workspace

# Benchmarks.
bench:
    cargo bench --workspace
