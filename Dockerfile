# postnl-robot: the robot and the replica in one image (used by docker-compose.yml).
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY flows flows
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/postnl-robot /usr/local/bin/postnl-robot
COPY flows /app/flows
COPY deploy /app/deploy
WORKDIR /app
ENTRYPOINT ["postnl-robot"]
