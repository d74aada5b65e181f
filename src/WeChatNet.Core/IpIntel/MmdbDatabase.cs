using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using MaxMind.Db;

namespace WeChatNet.IpIntel
{
    /// <summary>
    /// A GeoLite2/GeoIP2 or DB-IP file (MaxMind DB format) read with MaxMind.Db, MaxMind's own reader
    /// (docs/dependencies.md has the measurement that chose it over our former reader). The whole file is held in
    /// memory; every failure of the file, at open or at a lookup, becomes an <see cref="MmdbFormatException"/> naming
    /// the file. Thread-safe for concurrent lookups.
    /// </summary>
    internal sealed class MmdbDatabase : IDisposable
    {
        /// <summary>Largest file accepted (GeoLite2-City is about 60 MB).</summary>
        public const long MaxFileBytes = 1L << 30;

        private readonly Reader _reader;

        private MmdbDatabase(Reader reader, string name)
        {
            _reader = reader;
            Name = name;
        }

        /// <summary>The file name (for messages and the Source column).</summary>
        public string Name { get; }
        /// <summary>The file's metadata (database type, IP version, record size, build time...).</summary>
        public Metadata Metadata => _reader.Metadata;

        /// <summary>Opens a file; throws <see cref="FileNotFoundException"/>, <see cref="MmdbFormatException"/> or an I/O exception.</summary>
        public static MmdbDatabase Open(string path)
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new FileNotFoundException($"MaxMind DB file '{path}' does not exist.", path);
            if (info.Length > MaxFileBytes) throw new MmdbFormatException($"{info.Name}: {info.Length} bytes is larger than the {MaxFileBytes} bytes accepted for a MaxMind DB file.");
            return Open(File.ReadAllBytes(path), info.Name);
        }

        /// <summary>Opens the bytes of a file named <paramref name="name"/>; throws <see cref="MmdbFormatException"/>.</summary>
        public static MmdbDatabase Open(byte[] data, string name)
        {
            if (data is null) throw new ArgumentNullException(nameof(data));
            // A file that is not a MaxMind DB at all is the common mistake: say so in our words, not the reader's
            // "Could not find a MaxMind Db metadata marker in this file ()".
            if (!HasMetadataMarker(data))
                throw new MmdbFormatException($"{name}: not a MaxMind DB file: it has no MaxMind DB metadata section (a GeoLite2 or DB-IP .mmdb file ends with one).");
            Reader reader;
            try { reader = new Reader(new MemoryStream(data, writable: false)); }
            catch (Exception e) when (IsFileFault(e)) { throw new MmdbFormatException($"{name}: not a usable MaxMind DB file: {e.Message}", e); }
            var db = new MmdbDatabase(reader, name);
            var m = reader.Metadata;
            if (m.IPVersion != 4 && m.IPVersion != 6) throw new MmdbFormatException($"{name}: metadata says IP version {m.IPVersion} (must be 4 or 6).");
            return db;
        }

        private static readonly byte[] MetadataMarker = { 0xAB, 0xCD, 0xEF, (byte)'M', (byte)'a', (byte)'x', (byte)'M', (byte)'i', (byte)'n', (byte)'d', (byte)'.', (byte)'c', (byte)'o', (byte)'m' };

        /// <summary>The metadata marker the format puts in the last 128 KiB of every file.</summary>
        private static bool HasMetadataMarker(byte[] data)
        {
            int from = Math.Max(0, data.Length - 128 * 1024);
            for (int i = data.Length - MetadataMarker.Length; i >= from; i--)
            {
                int k = 0;
                while (k < MetadataMarker.Length && data[i + k] == MetadataMarker[k]) k++;
                if (k == MetadataMarker.Length) return true;
            }
            return false;
        }

        /// <summary>
        /// The fields <see cref="IpIntelligence"/> reads for <paramref name="address"/>, and the prefix length they cover
        /// (for IPv4 addresses, counted in IPv4 bits); false when the file has no record for it (or it is an IPv6 address
        /// and the file IPv4-only). Throws <see cref="MmdbFormatException"/> when the tree or the record is damaged.
        /// </summary>
        public bool TryFind(IPAddress address, out MmdbLocation? location, out int prefixLength)
        {
            location = Find<MmdbLocation>(address, out prefixLength);
            return location != null;
        }

        /// <summary>
        /// The record for <paramref name="address"/> decoded as <typeparamref name="T"/> (a MaxMind.Db-annotated class, or
        /// <c>Dictionary&lt;string, object&gt;</c> for the whole record); null when none. Throws <see cref="MmdbFormatException"/>.
        /// </summary>
        public T? Find<T>(IPAddress address, out int prefixLength) where T : class
        {
            if (address is null) throw new ArgumentNullException(nameof(address));
            prefixLength = 0;
            if (address.AddressFamily == AddressFamily.InterNetworkV6 && _reader.Metadata.IPVersion == 4) return null;
            try { return _reader.Find<T>(address, out prefixLength); }
            catch (Exception e) when (IsFileFault(e)) { throw new MmdbFormatException($"{Name}: the data for {address} is corrupt: {e.Message}", e); }
        }

        public void Dispose() => _reader.Dispose();

        /// <summary>What MaxMind.Db throws for a damaged or unexpected file (never for our own mistakes such as a null argument).</summary>
        private static bool IsFileFault(Exception e) =>
            e is InvalidDatabaseException || e is DeserializationException || e is EndOfStreamException || e is IOException
            || e is InvalidCastException || e is IndexOutOfRangeException || e is ArgumentOutOfRangeException || e is OverflowException
            || e is FormatException || e is KeyNotFoundException || e is System.Text.DecoderFallbackException;
    }

    /// <summary>The parts of a GeoIP2/GeoLite2/DB-IP City, Country or ASN record that IpIntelligence uses.</summary>
    internal sealed class MmdbLocation
    {
        [Constructor]
        public MmdbLocation(
            [MapKey("country")] MmdbPlace? country,
            [MapKey("registered_country")] MmdbPlace? registeredCountry,
            [MapKey("city")] MmdbPlace? city,
            [MapKey("autonomous_system_number")] long? autonomousSystemNumber,
            [MapKey("autonomous_system_organization")] string? autonomousSystemOrganization)
        {
            CountryCode = country?.IsoCode ?? registeredCountry?.IsoCode;
            City = city?.EnglishName;
            AutonomousSystemNumber = autonomousSystemNumber;
            AutonomousSystemOrganization = autonomousSystemOrganization;
        }

        /// <summary>country/iso_code, else registered_country/iso_code.</summary>
        public string? CountryCode { get; }
        /// <summary>city/names/en.</summary>
        public string? City { get; }
        public long? AutonomousSystemNumber { get; }
        public string? AutonomousSystemOrganization { get; }
    }

    /// <summary>A country or city map of a record: its ISO code and English name.</summary>
    internal sealed class MmdbPlace
    {
        [Constructor]
        public MmdbPlace([MapKey("iso_code")] string? isoCode, [MapKey("names")] IDictionary<string, string>? names)
        {
            IsoCode = isoCode;
            EnglishName = names != null && names.TryGetValue("en", out var en) ? en : null;
        }

        public string? IsoCode { get; }
        public string? EnglishName { get; }
    }
}
