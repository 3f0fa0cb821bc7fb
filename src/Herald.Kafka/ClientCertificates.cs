namespace Herald.Kafka;

/// <summary>Whether a TLS listener asks clients for certificates, as Kafka's <c>ssl.client.auth</c>.</summary>
public enum ClientCertificates
{
    /// <summary>Clients are not asked for one (<c>none</c>).</summary>
    None,

    /// <summary>Clients are asked, and may connect without one (<c>requested</c>).</summary>
    Requested,

    /// <summary>Clients must present one signed by a trusted authority (<c>required</c>): mutual TLS.</summary>
    Required,
}
