using System.CommandLine;
using System.Net.Sockets;
using Herald.Broker;
using Herald.Kafka;
using Herald.Server;
using Microsoft.Extensions.Logging;

namespace Herald.Cli.Commands;

/// <summary>
/// <c>herald serve</c>: runs <see cref="HeraldServer"/> (the broker on the data directory, its Kafka listener, and on
/// HTTP the API, console and /metrics) until SIGINT or SIGTERM, then closes it cleanly. Every flag can also be set in
/// configuration (<see cref="ServeConfiguration"/>).
/// </summary>
internal static class ServeCommand
{
    public static Command Create(Func<ParseResult, CliContext> contextFor)
    {
        var kafka = new Option<string[]>("--kafka")
        {
            Description = "A Kafka listener, [PROTOCOL://]HOST:PORT, PROTOCOL being PLAINTEXT (the default), SSL, SASL_PLAINTEXT or SASL_SSL. Repeat for more listeners.",
            DefaultValueFactory = _ => List(ServeConfiguration.Lookup("--kafka")) ?? [$"127.0.0.1:{KafkaServerOptions.DefaultPort}"],
            Arity = ArgumentArity.OneOrMore,
        };
        var advertise = new Option<string[]>("--advertise")
        {
            Description = "HOST:PORT clients are told to connect to, one per --kafka listener in order (default: each listener's own address).",
            DefaultValueFactory = _ => List(ServeConfiguration.Lookup("--advertise")) ?? [],
            Arity = ArgumentArity.OneOrMore,
        };
        var tlsCertificate = new Option<string?>("--tls-cert") { Description = "PEM file of the TLS certificate (and intermediates) for SSL and SASL_SSL listeners; reloaded when it changes.", DefaultValueFactory = _ => ServeConfiguration.Lookup("--tls-cert") };
        var tlsKey = new Option<string?>("--tls-key") { Description = "PEM file of the TLS certificate's private key.", DefaultValueFactory = _ => ServeConfiguration.Lookup("--tls-key") };
        var tlsAuthorities = new Option<string?>("--tls-ca") { Description = "PEM file of the CA certificates client certificates must chain to (default: the system's).", DefaultValueFactory = _ => ServeConfiguration.Lookup("--tls-ca") };
        var tlsClientAuth = new Option<string>("--tls-client-auth")
        {
            Description = "Ask TLS clients for certificates: none, requested, or required (mutual TLS; the principal is the certificate's subject), as Kafka's ssl.client.auth.",
            DefaultValueFactory = _ => ServeConfiguration.Lookup("--tls-client-auth") ?? "none",
        };
        var adminUser = new Option<string>("--admin-user")
        {
            Description = "The first administrator, created at first start with the password in HERALD_ADMIN_PASSWORD (or admin-password in herald.json, or --admin-password-file).",
            DefaultValueFactory = _ => ServeConfiguration.Lookup("--admin-user") ?? SecurityOptions.Default.AdminUser,
        };
        var superUsers = new Option<string[]>("--super-users")
        {
            Description = "Principals that may do everything, as Kafka's super.users: User:NAME, comma-separated or repeated. The first administrator always is one.",
            DefaultValueFactory = _ => List(ServeConfiguration.Lookup("--super-users")) ?? [],
            Arity = ArgumentArity.OneOrMore,
        };
        var adminPasswordFile = new Option<string?>("--admin-password-file") { Description = "A file holding the first administrator's password.", DefaultValueFactory = _ => ServeConfiguration.Lookup("--admin-password-file") };
        var http = new Option<string>("--http")
        {
            Description = "Address for the HTTP API, the console and /metrics, HOST:PORT, or none.",
            DefaultValueFactory = _ => ServeConfiguration.Lookup("--http") ?? $"127.0.0.1:{HttpOptions.DefaultPort}",
        };
        var eventStore = new Option<string?>("--event-store") { Description = "Show this embedded event store's directory in the API and the console (the server holds it; no application may).", DefaultValueFactory = _ => ServeConfiguration.Lookup("--event-store") };
        var eventStorePostgres = new Option<string?>("--event-store-postgres") { Description = "Show the PostgreSQL event store at this connection string in the API and the console.", DefaultValueFactory = _ => ServeConfiguration.Lookup("--event-store-postgres") };
        var allowAnonymous = CliOptions.Flag(
            "--allow-anonymous",
            "Listen on addresses other machines can reach although clients are not authenticated (refused otherwise).",
            HeraldServerOptions.Default.AllowAnonymous,
            () => ServeConfiguration.Lookup("--allow-anonymous"));
        var broker = BrokerFlags();
        var listener = ListenerFlags();
        var command = new Command("serve", "Run the Herald broker with its Kafka listener, HTTP API, console and /metrics until stopped (Ctrl+C or SIGTERM).")
        {
            kafka, advertise, tlsCertificate, tlsKey, tlsAuthorities, tlsClientAuth, adminUser, adminPasswordFile, superUsers, http, eventStore, eventStorePostgres, allowAnonymous,
        };
        foreach (var option in broker.Options.Concat(listener.Options))
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            if (parse.GetValue(GlobalOptions.Server) is not null)
            {
                throw CliException.Usage("serve runs a server itself; --server is for the other commands.");
            }

            var options = broker.Bind(parse, context.BrokerOptions);
            var tls = Tls(parse, tlsCertificate, tlsKey, tlsAuthorities, tlsClientAuth);
            var advertised = parse.GetValue(advertise)!.Select(text => HostPort.Parse(text, Source(parse, advertise))).ToList();
            var listeners = parse.GetValue(kafka)!.Select((text, i) =>
            {
                var (protocol, address) = ListenerAddress.Parse(text, Source(parse, kafka));
                return listener.Bind(parse, KafkaServerOptions.Default with
                {
                    Protocol = protocol,
                    Listen = HostPort.Resolve(address),
                    Advertise = i < advertised.Count ? advertised[i] : null,
                    Tls = protocol.UsesTls() ? tls ?? throw CliException.Usage($"The {protocol.KafkaName()} listener {address.Host}:{address.Port} needs --tls-cert and --tls-key.") : null,
                });
            }).ToList();
            if (advertised.Count > listeners.Count)
            {
                throw CliException.Usage($"{advertised.Count} --advertise addresses were given for {listeners.Count} --kafka listeners.");
            }

            var httpText = parse.GetValue(http)!;
            var storeDirectory = parse.GetValue(eventStore);
            var storeConnection = parse.GetValue(eventStorePostgres);
            if (storeDirectory is not null && storeConnection is not null)
            {
                throw CliException.Usage("Give --event-store or --event-store-postgres, not both.");
            }

            var serverOptions = new HeraldServerOptions
            {
                Broker = options,
                Kafka = listeners[0],
                AdditionalKafkaListeners = listeners[1..],
                Security = SecurityOptions.Default with
                {
                    AdminUser = parse.GetValue(adminUser)!,
                    AdminPassword = AdminPassword(parse.GetValue(adminPasswordFile)),
                    SuperUsers = [.. parse.GetValue(superUsers)!.SelectMany(u => u.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))],
                },
                Http = httpText == "none" ? null : HttpOptions.Default with { Listen = HostPort.Resolve(HostPort.Parse(httpText, Source(parse, http))) },
                EventStore = storeDirectory is null && storeConnection is null ? null : new EventStoreOptions { Directory = storeDirectory, PostgresConnectionString = storeConnection },
                AllowAnonymous = parse.GetValue(allowAnonymous),
            };
            try
            {
                serverOptions.Validate(); // the broker's, the listener's and the server's own settings
            }
            catch (ArgumentException exception)
            {
                throw CliException.Usage(exception.Message);
            }

            // Its own factory, the server's configuration, so the last line is written after the host has gone.
            using var loggers = LoggerFactory.Create(HeraldServer.ConsoleLogging);
            var logger = loggers.CreateLogger("Herald.Server");
            HeraldServer server;
            try
            {
                server = await HeraldServer.StartAsync(serverOptions, HeraldServer.ConsoleLogging, cancellationToken);
            }
            catch (IOException exception) when (exception is not Storage.DataDirectoryLockedException && exception.InnerException is not null)
            {
                throw new CliException($"Cannot listen: {exception.Message}");
            }
            catch (SocketException exception)
            {
                throw new CliException($"Cannot listen on {string.Join(" and ", listeners.Select(l => l.Listen))}: {exception.Message}");
            }
            catch (InvalidDataException exception)
            {
                throw new CliException(exception.Message); // a damaged users file, left as it is
            }
            catch (ArgumentException exception)
            {
                throw CliException.Usage(exception.Message); // a SASL listener with no user to admit
            }

            await using (server)
            {
                Log.Ready(logger, Path.GetFullPath(context.DataDirectory), server.Broker.ListTopics().Count);
                Log.Listening(logger, string.Join(", ", server.KafkaListeners.Select(l => $"{l.Protocol.KafkaName()}://{l.BootstrapServers}")), server.HttpAddress?.ToString() ?? "off (--http none)");
                if (serverOptions.ReachableFromOtherMachines)
                {
                    Log.OpenToAnyone(logger, string.Join(" and ", serverOptions.OpenToOtherMachines));
                }

                try
                {
                    await server.WaitForShutdownAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                }

                Log.Stopping(logger);
            }

            Log.Stopped(logger);
            return ExitCodes.Success;
        });
        return command;
    }

    // A configured list, comma-separated as Kafka's listeners, or null when not configured.
    private static string[]? List(string? configured) =>
        configured?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static TlsOptions? Tls(ParseResult parse, Option<string?> certificate, Option<string?> key, Option<string?> authorities, Option<string> clientAuth)
    {
        var certificatePath = parse.GetValue(certificate);
        var keyPath = parse.GetValue(key);
        var clientCertificates = parse.GetValue(clientAuth) switch
        {
            "none" => ClientCertificates.None,
            "requested" => ClientCertificates.Requested,
            "required" => ClientCertificates.Required,
            var other => throw CliException.Usage($"{Source(parse, clientAuth)} takes none, requested or required; got '{other}'."),
        };
        if (certificatePath is null && keyPath is null)
        {
            return null;
        }

        if (certificatePath is null || keyPath is null)
        {
            throw CliException.Usage("Give both --tls-cert and --tls-key.");
        }

        try
        {
            var source = new PemCertificateSource(certificatePath, keyPath);
            return new TlsOptions
            {
                Certificate = source.Current,
                ClientCertificates = clientCertificates,
                ClientAuthorities = parse.GetValue(authorities) is { } ca ? PemCertificateSource.LoadAuthorities(ca) : null,
            };
        }
        catch (ArgumentException exception)
        {
            throw CliException.Usage(exception.Message);
        }
    }

    // Never a flag of its own: a password on the command line is visible to every user of the machine.
    private static string? AdminPassword(string? file)
    {
        if (file is null)
        {
            return ServeConfiguration.Lookup("--admin-password");
        }

        try
        {
            return File.ReadAllText(file).TrimEnd('\r', '\n');
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage($"Cannot read --admin-password-file {file}: {exception.Message}");
        }
    }

    // How an error names a setting: the flag when it was given, or where configuration gave it.
    private static string Source(ParseResult parse, Option option) =>
        parse.GetResult(option) is { Implicit: false } || ServeConfiguration.Lookup(option.Name) is null
            ? option.Name
            : $"{option.Name} (configured as {ServeConfiguration.KeyFor(option.Name)})";

    private static OptionsBinder<BrokerOptions> BrokerFlags() => new OptionsBinder<BrokerOptions>(BrokerOptions.Default)
        .Int("--default-partitions", "Partitions of a topic created without a count (auto-created, or by a client that leaves it to the broker).", 1, o => o.DefaultPartitions, (o, v) => o with { DefaultPartitions = v })
        .Int("--max-partitions", "The most partitions the broker holds across all topics; more is refused.", 1, o => o.MaxPartitions, (o, v) => o with { MaxPartitions = v })
        .Int("--max-partitions-per-request", "The most partitions one create may add.", 1, o => o.MaxPartitionsPerRequest, (o, v) => o with { MaxPartitionsPerRequest = v })
        .DurationOrForever("--retention", "How long topics keep events unless a topic says otherwise (Kafka's log.retention.ms).", o => o.Log.RetentionTime, (o, v) => o with { Log = o.Log with { RetentionTime = v } })
        .SizeOrUnlimited("--retention-bytes", "How much each partition keeps unless a topic says otherwise (log.retention.bytes).", 1, o => o.Log.RetentionBytes, (o, v) => o with { Log = o.Log with { RetentionBytes = v } })
        .Size("--segment-bytes", "Segment file size at which a partition rolls to a new one (log.segment.bytes).", 1024, o => o.Log.SegmentBytes, (o, v) => o with { Log = o.Log with { SegmentBytes = v } })
        .Duration("--segment-age", "Segment age at which a partition rolls (log.roll.ms).", o => o.Log.SegmentAge, (o, v) => o with { Log = o.Log with { SegmentAge = v } })
        .Size("--max-message-bytes", "The largest record batch a topic accepts unless it says otherwise (message.max.bytes).", 64, o => o.Log.MaxBatchBytes, (o, v) => o with { Log = o.Log with { MaxBatchBytes = (int)Math.Min(v, int.MaxValue) } })
        .Duration("--retention-check-interval", "How often retention runs (log.retention.check.interval.ms).", o => o.RetentionCheckInterval, (o, v) => o with { RetentionCheckInterval = v })
        .Duration("--group-min-session-timeout", "The shortest session timeout a group member may ask for (group.min.session.timeout.ms).", o => o.GroupMinSessionTimeout, (o, v) => o with { GroupMinSessionTimeout = v })
        .Duration("--group-max-session-timeout", "The longest session timeout a group member may ask for (group.max.session.timeout.ms).", o => o.GroupMaxSessionTimeout, (o, v) => o with { GroupMaxSessionTimeout = v });

    private static OptionsBinder<KafkaServerOptions> ListenerFlags() => new OptionsBinder<KafkaServerOptions>(KafkaServerOptions.Default)
        .Flag("--auto-create-topics", "Create unknown topics on Metadata and Produce, as Kafka's auto.create.topics.enable.", o => o.AutoCreateTopics, (o, v) => o with { AutoCreateTopics = v })
        .Size("--max-request-bytes", "The largest request accepted (Kafka's socket.request.max.bytes).", 64, o => o.MaxRequestBytes, (o, v) => o with { MaxRequestBytes = (int)Math.Min(v, int.MaxValue) })
        .Size("--queued-max-request-bytes", "Bytes of requests held at once across all connections (Kafka's queued.max.request.bytes); reading waits beyond it.", 64, o => o.MaxQueuedRequestBytes, (o, v) => o with { MaxQueuedRequestBytes = v })
        .Duration("--partial-request-timeout", "How long one request may take to arrive before its connection is closed.", o => o.PartialRequestTimeout, (o, v) => o with { PartialRequestTimeout = v })
        .Duration("--connections-max-idle", "Close a connection idle this long (Kafka's connections.max.idle.ms).", o => o.ConnectionsMaxIdle, (o, v) => o with { ConnectionsMaxIdle = v })
        .Int("--max-connections", "The most client connections at once (Kafka's max.connections).", 1, o => o.MaxConnections, (o, v) => o with { MaxConnections = v })
        .DurationOrForever("--max-reauth", "How long a SASL session lasts before the client must authenticate again on its connection (Kafka's connections.max.reauth.ms, KIP-368); forever by default.", o => o.MaxReauthenticationInterval, (o, v) => o with { MaxReauthenticationInterval = v })
        .Int("--max-connections-per-ip", "The most connections at once from one address (Kafka's max.connections.per.ip).", 1, o => o.MaxConnectionsPerIp, (o, v) => o with { MaxConnectionsPerIp = v });
}
