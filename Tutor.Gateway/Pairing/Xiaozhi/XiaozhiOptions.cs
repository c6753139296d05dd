using System.ComponentModel.DataAnnotations;

namespace Tutor.Gateway.Pairing.Xiaozhi;

/// <summary>
/// The xiaozhi OTA endpoint (configuration section <c>Xiaozhi</c>; README, "Using a xiaozhi device"). Codes, their
/// lifetime and the per-address limit are pairing's (<see cref="PairingOptions"/>): a xiaozhi activation code is a pairing code.
/// </summary>
public sealed class XiaozhiOptions : IValidatableObject
{
    public const string SectionName = "Xiaozhi";

    /// <summary>
    /// Where devices reach the gateway's WebSocket, e.g. <c>wss://tutor.example.com</c>, when the gateway is behind a proxy
    /// that changes the host; <c>/ws/{user_id}</c> is appended. Empty: taken from the OTA request's own scheme and host.
    /// </summary>
    public string? WebSocketUrl { get; set; }

    /// <summary>The parents' page, shown on the device's screen above the code. Empty: the gateway's own address.</summary>
    public string? ParentsPageUrl { get; set; }

    /// <summary>A firmware version to offer (with <see cref="FirmwareUrl"/>); empty: the device is told its own version is current.</summary>
    public string? FirmwareVersion { get; set; }

    public string? FirmwareUrl { get; set; }

    /// <summary>Minutes east of UTC for the device's clock (xiaozhi's <c>server_time.timezone_offset</c>).</summary>
    [Range(-720, 840)]
    public int TimezoneOffset { get; set; }

    /// <summary>
    /// How long after activation a check-in still receives the device's secret: long enough for a lost answer or a reboot
    /// to be retried, short enough that the secret does not stay on the server.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan TokenDeliveryWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The largest system report a check-in may send (xiaozhi's is about 1–2 KiB).</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxReportBytes { get; set; } = 16 * 1024;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(WebSocketUrl) && !(Uri.TryCreate(WebSocketUrl, UriKind.Absolute, out var ws) && ws.Scheme is "ws" or "wss"))
        {
            yield return new ValidationResult("Xiaozhi:WebSocketUrl must be an absolute ws:// or wss:// address.", [nameof(WebSocketUrl)]);
        }
        if (!string.IsNullOrEmpty(ParentsPageUrl) && !(Uri.TryCreate(ParentsPageUrl, UriKind.Absolute, out var page) && page.Scheme is "http" or "https"))
        {
            yield return new ValidationResult("Xiaozhi:ParentsPageUrl must be an absolute http:// or https:// address.", [nameof(ParentsPageUrl)]);
        }
        if (string.IsNullOrEmpty(FirmwareVersion) != string.IsNullOrEmpty(FirmwareUrl))
        {
            yield return new ValidationResult("Xiaozhi:FirmwareVersion and Xiaozhi:FirmwareUrl go together.", [nameof(FirmwareVersion), nameof(FirmwareUrl)]);
        }
    }
}
