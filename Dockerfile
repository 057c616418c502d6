# kuzot: one static binary; every role runs from the same image (see docker-compose.yml).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/kuzot ./cmd/kuzot

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/kuzot /usr/local/bin/kuzot
USER nonroot
ENTRYPOINT ["/usr/local/bin/kuzot"]
