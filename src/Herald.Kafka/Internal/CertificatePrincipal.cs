using System.Security.Cryptography.X509Certificates;
using System.Text;
using Herald.Security;

namespace Herald.Kafka.Internal;

/// <summary>
/// The principal of a client certificate as Kafka's default principal builder names it: <c>User:</c> and the subject
/// in RFC 2253 form, most specific name first and no spaces after the commas (<c>User:CN=alice,O=Shop</c>), so ACLs
/// written for Kafka match.
/// </summary>
internal static class CertificatePrincipal
{
    public static Principal From(X509Certificate2 certificate)
    {
        var subject = new StringBuilder();
        foreach (var name in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (subject.Length > 0)
            {
                subject.Append(',');
            }

            if (name.HasMultipleElements)
            {
                return Principal.User(certificate.Subject); // rare in client certificates; .NET's own form then
            }

            var type = name.GetSingleElementType();
            subject.Append(ShortName(type.Value ?? "")).Append('=');
            Escape(subject, name.GetSingleElementValue() ?? "");
        }

        return Principal.User(subject.ToString());
    }

    private static string ShortName(string oid) => oid switch
    {
        "2.5.4.3" => "CN",
        "2.5.4.11" => "OU",
        "2.5.4.10" => "O",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.6" => "C",
        "2.5.4.9" => "STREET",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        _ => oid, // RFC 2253 writes other types by their OID
    };

    private static void Escape(StringBuilder builder, string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is ',' or '+' or '"' or '\\' or '<' or '>' or ';' || (i == 0 && c is '#' or ' ') || (i == value.Length - 1 && c == ' '))
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }
    }
}
