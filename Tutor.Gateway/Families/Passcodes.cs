using Microsoft.AspNetCore.Identity;

namespace Tutor.Gateway.Families;

/// <summary>
/// Parents' passcodes of the local sign-in, stored as ASP.NET Core Identity's password hash: PBKDF2 with HMAC-SHA512,
/// 100 000 iterations and a random 128-bit salt per passcode — a short passcode is guessable, so it is salted and slow
/// to try, unlike device secrets (256 random bits, <see cref="DeviceTokens"/>). Make one with
/// <c>echo 'the passcode' | dotnet run --project Tutor.Gateway -- hash-passcode</c>.
/// </summary>
public static class Passcodes
{
    private static readonly PasswordHasher<object> Hasher = new();
    private static readonly object Nobody = new();

    // Checked when the parent id is unknown, so that the answer takes as long as for a known one.
    private static readonly string Decoy = Hasher.HashPassword(Nobody, "decoy");

    public static string Hash(string passcode) => Hasher.HashPassword(Nobody, passcode);

    /// <summary>Whether <paramref name="passcode"/> matches <paramref name="stored"/>; a null <paramref name="stored"/> never matches.</summary>
    public static bool Verify(string? stored, string passcode)
    {
        try
        {
            return Hasher.VerifyHashedPassword(Nobody, stored ?? Decoy, passcode) != PasswordVerificationResult.Failed && stored is not null;
        }
        catch (FormatException)
        {
            return false; // not a hash this format knows
        }
    }
}
