// swift-tools-version:6.1
import PackageDescription

// Penah's benchmarks, a package of their own so that nothing of them is in the product or in the
// test build. They drive the real release `penah` executable over HTTP on loopback — what a person
// waits for — beside a bare Vapor route in the same run. See docs/benchmarks.md.
let package = Package(
    name: "penah-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
    ],
    targets: [
        .executableTarget(
            name: "Penah",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Vapor", package: "vapor"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Benchmarks/Penah",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
