// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "penah",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "penah", targets: ["penah"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/leaf-kit.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // Tests only: the main pages' HTML kept as snapshots.
        .package(url: "https://github.com/pointfreeco/swift-snapshot-testing.git", from: "1.19.7"),
    ],
    targets: [
        // Pure rules: no Vapor, no Fluent. Fast to test.
        .target(name: "PenahDomain", resources: [.copy("Resources/Catalogue")]),
        // Persistence, HTTP, views.
        .target(
            name: "PenahServer",
            dependencies: [
                "PenahDomain",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "LeafKit", package: "leaf-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.copy("Resources")]
        ),
        .executableTarget(name: "penah", dependencies: ["PenahServer"]),
        .testTarget(name: "PenahDomainTests", dependencies: ["PenahDomain"]),
        .testTarget(
            name: "PenahServerTests",
            dependencies: [
                "PenahServer",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "SnapshotTesting", package: "swift-snapshot-testing"),
            ],
            exclude: ["Pages/__Snapshots__", "Web/QRFixtures.txt", "Web/QRFixtures.py"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
