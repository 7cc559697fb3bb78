"""A synthetic catalogue spreadsheet of any size, for import tests and benchmarks.

Lubuklinggau's MPP lists 470 permits from about 25 work units: `synthetic_table(470, 25)`
builds a table shaped like that, with complete service standards.
"""

from __future__ import annotations

from ..catalogue.spreadsheet import HEADERS

KINDS = ("opd", "vertikal", "bumn", "bank")
TOPICS = ("Izin Usaha", "Rekomendasi Teknis", "Surat Keterangan", "Sertifikat", "Pendaftaran", "Perubahan Data",
          "Legalisasi", "Izin Operasional", "Tanda Daftar", "Persetujuan")
OBJECTS = ("Toko Modern", "Bengkel", "Klinik", "Sekolah Swasta", "Rumah Makan", "Penginapan", "Menara Telekomunikasi",
           "Galian C", "Angkutan Umum", "Koperasi", "Lembaga Pelatihan", "Apotek", "Peternakan", "Perikanan", "Reklame")


def synthetic_table(n: int, agencies: int = 25) -> list[list[str]]:
    table = [list(HEADERS)]
    for i in range(n):
        a = i % agencies
        values = {
            "kode_instansi": f"UK{a + 1:02d}",
            "nama_instansi": f"Unit Kerja {a + 1:02d} Kota Contoh",
            "jenis_instansi": KINDS[a % len(KINDS)],
            "kode_layanan": f"L-{i + 1:04d}",
            "nama_layanan": f"{TOPICS[i % len(TOPICS)]} {OBJECTS[(i // len(TOPICS)) % len(OBJECTS)]} {i + 1}",
            "deskripsi": "Layanan contoh untuk uji impor katalog.",
            "kata_kunci": "contoh; uji",
            "status": "terbit" if i % 10 else "draf",
            "persyaratan": "Fotokopi KTP-el pemohon\nSurat permohonan bermaterai\nPas foto 3x4",
            "prosedur": "Ambil nomor antrean\nSerahkan berkas di loket\nVerifikasi berkas\nTerima produk layanan",
            "waktu": str(1 + i % 14),
            "satuan_waktu": "hari kerja" if i % 3 else "menit",
            "biaya": "0" if i % 4 else str(25000 * (1 + i % 5)),
            "dasar_biaya": "Peraturan Daerah Kota Contoh Nomor 1 Tahun 2024",
            "produk": "Dokumen izin/keterangan",
            "pengaduan": "SP4N-LAPOR!, kotak saran, dan meja pengaduan MPP",
            "dasar_hukum": "Peraturan Pemerintah Nomor 5 Tahun 2021",
            "sarana_prasarana": "Loket, komputer, ruang tunggu",
            "kompetensi_pelaksana": "Memahami standar pelayanan",
            "pengawasan_internal": "Kepala unit kerja",
            "jumlah_pelaksana": "2 orang",
            "jaminan_pelayanan": "Maklumat pelayanan",
            "jaminan_keamanan": "Dokumen dijaga kerahasiaannya",
            "evaluasi_kinerja": "Evaluasi triwulanan",
        }
        table.append([values.get(h, "") for h in HEADERS])
    return table
