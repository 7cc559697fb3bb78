"""Pages a citizen and an officer see, fetched from a real server: Indonesian first, English on request."""

import re

from satupintu.catalogue.spreadsheet import HEADERS, to_csv
from satupintu.demo.synthetic import synthetic_table
from tests.conftest import DEMO_PASSWORD


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login(c, username="pengelola"):
    page = c.get("/masuk")
    resp = c.post("/masuk", data={"username": username, "password": DEMO_PASSWORD, "csrf": csrf_of(page.text),
                                  "next": "/kelola"})
    assert resp.status_code == 303


def catalogue_hours(server) -> list[str]:  # type: ignore[no-untyped-def]
    from satupintu.catalogue import service as catalogue

    return catalogue.get_site(server.app.state.db, "lahat").opening_hours["mon"]


def test_the_home_page_is_the_site_in_indonesian_with_its_agencies_and_hours(server):
    with server.client(follow_redirects=True) as c:
        page = c.get("/")
        assert page.status_code == 200 and '<html lang="id">' in page.text
        assert "MPP Kabupaten Lahat" in page.text
        mon = "–".join(catalogue_hours(server))  # the demo's Monday hours as loaded (tests open it all day)
        assert "Jam layanan" in page.text and mon in page.text and "WIB" in page.text
        assert "Dinas Kependudukan dan Pencatatan Sipil" in page.text
        assert "Pelayanan Bergerak Plaza Lematang" in page.text


def test_english_is_one_click_away_and_remembered(server):
    with server.client(follow_redirects=True) as c:
        page = c.get("/mpp/lahat?lang=en")
        assert '<html lang="en">' in page.text and "Opening hours" in page.text and "Agencies" in page.text
        again = c.get("/mpp/lahat")  # the cookie keeps the choice
        assert '<html lang="en">' in again.text
        back = c.get("/mpp/lahat?lang=id")
        assert "Jam layanan" in back.text


def test_searching_akta_lahir_lists_the_birth_certificate_first(server):
    with server.client() as c:
        page = c.get("/mpp/lahat/layanan", params={"q": "akta lahir"})
        rows = re.findall(r'<td><a href="/mpp/lahat/layanan/([^"]+)">', page.text)
        assert rows[0] == "DKC-04"
        assert "layanan cocok dengan" in page.text
        none = c.get("/mpp/lahat/layanan", params={"q": "qwertyzzz"})
        assert "Tidak ada layanan yang cocok" in none.text


def test_a_service_page_shows_all_fourteen_components(server):
    with server.client() as c:
        page = c.get("/mpp/lahat/layanan/DKC-04")
        for label in ("Persyaratan", "Sistem, Mekanisme, dan Prosedur", "Jangka Waktu Penyelesaian", "Biaya/Tarif",
                      "Produk Pelayanan", "Penanganan Pengaduan, Saran, dan Masukan", "Dasar Hukum",
                      "Sarana dan Prasarana, dan/atau Fasilitas", "Kompetensi Pelaksana", "Pengawasan Internal",
                      "Jumlah Pelaksana", "Jaminan Pelayanan", "Jaminan Keamanan dan Keselamatan Pelayanan",
                      "Evaluasi Kinerja Pelaksana"):
            assert f"<dt>{label}</dt>" in page.text
        assert "Gratis" in page.text
        assert c.get("/mpp/lahat/layanan/NOPE").status_code == 404


def test_a_wrong_password_is_shown_beside_the_password_field(server):
    with server.client() as c:
        page = c.get("/masuk")
        resp = c.post("/masuk", data={"username": "pengelola", "password": "salah-sekali-ini",
                                      "csrf": csrf_of(page.text)})
        assert resp.status_code == 401
        assert 'id="password-error"' in resp.text and "Nama pengguna atau kata sandi salah." in resp.text


def test_a_form_without_its_csrf_token_is_refused(server):
    with server.client() as c:
        c.get("/masuk")
        resp = c.post("/masuk", data={"username": "pengelola", "password": DEMO_PASSWORD, "csrf": "forged"})
        assert resp.status_code == 403 and "Sesi formulir tidak sah" in resp.text


def test_management_pages_need_login_and_show_expiring_agreements(server):
    with server.client() as c:
        assert c.get("/kelola/lahat").status_code == 303
        login(c)
        page = c.get("/kelola/lahat")
        assert "Perjanjian kerja sama yang perlu perhatian" in page.text
        assert "Segera berakhir" in page.text and "Berakhir" in page.text


def test_import_page_lists_each_bad_cell_and_changes_nothing(fresh_server):
    table = synthetic_table(5, 1)
    table[2][HEADERS.index("biaya")] = "mahal"
    with fresh_server.client() as c:
        login(c)
        page = c.get("/kelola/lahat/katalog")
        resp = c.post("/kelola/lahat/katalog/impor", data={"csrf": csrf_of(page.text)},
                      files={"file": ("katalog.csv", to_csv(table), "text/csv")})
        assert resp.status_code == 422
        assert "Impor dibatalkan: 1 kesalahan" in resp.text
        assert "<td>3</td><td>biaya</td><td>Biaya harus berupa angka Rupiah" in resp.text
        assert c.get("/mpp/lahat/layanan/L-0002").status_code == 404


def test_editing_a_service_shows_errors_beside_the_fields_and_keeps_the_input(fresh_server):
    with fresh_server.client() as c:
        login(c, "admin.dukcapil")
        form = c.get("/kelola/lahat/layanan/DKC-04")
        assert form.status_code == 200
        fields = dict(re.findall(r'<input id="(\w+)" name="\w+"[^>]*value="([^"]*)"', form.text))
        data = {"csrf": csrf_of(form.text), "code": "DKC-04", "agency": "DUKCAPIL", "name": fields["name"],
                "description": "x", "keywords": "akta", "requirements": "Surat lahir", "procedure": "Datang",
                "time_value": "1", "time_unit": "working_days", "fee": "10000", "fee_legal_basis": "",
                "product": "", "complaint_channel": "Kotak saran"}
        resp = c.post("/kelola/lahat/layanan/DKC-04", data=data)
        assert resp.status_code == 422
        assert 'id="fee_legal_basis-error"' in resp.text and 'id="product-error"' in resp.text
        assert 'value="10000"' in resp.text  # what the officer typed is still there
        data.update(fee="0", product="Kutipan Akta Kelahiran")
        ok = c.post("/kelola/lahat/layanan/DKC-04", data=data)
        assert ok.status_code == 303
        assert "Kutipan Akta Kelahiran" in c.get("/mpp/lahat/layanan/DKC-04").text
        # An agency admin cannot edit another agency's service.
        assert c.get("/kelola/lahat/layanan/DPM-01").status_code == 200  # reading is allowed
        data.update(csrf=csrf_of(c.get("/kelola/lahat/layanan/DPM-01").text), code="DPM-01", agency="DPMPTSP")
        assert c.post("/kelola/lahat/layanan/DPM-01", data=data).status_code == 403
