import ArgumentParser
import TailshipShip

/// `tailship schema clickhouse`: the table an output with `format: clickhouse` writes to.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the table definitions the database outputs write to.",
        subcommands: [ClickHouse.self])

    struct ClickHouse: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "clickhouse",
            abstract: "Print the CREATE TABLE statement for output.http.format: clickhouse (runs on ClickHouse 18.16 and later).")

        @Option(help: "Table name (output.http.clickhouse.table).")
        var table = "k8s_audit"

        @Option(help: "Database name (output.http.clickhouse.database).")
        var database = "default"

        func validate() throws {
            for (flag, name) in [("--table", table), ("--database", database)] where !ClickHouseOptions.isIdentifier(name) {
                throw ValidationError("\(flag) \"\(name)\" is not a plain name (letters, digits and _, not starting with a digit)")
            }
        }

        func run() {
            print(ClickHouseSchema.createTable(database: database, table: table), terminator: "")
        }
    }
}
