"""Regenerate stations_vi.xlsx: a provincial-department style sheet with Vietnamese headers.

Run from the repository root: python tests/data/make_xlsx_fixture.py
"""

from pathlib import Path

import openpyxl

ROWS = [
    (1, "452-04-LTE-123456", "Kinh Bắc 1", "Viettel", "21°11'9.96\"N", "106°4'33.96\"E", 32, ""),
    (2, "452-01-LTE-54321", "Bắc Giang 3", "MobiFone", "21,281", "106,203", None, "tọa độ GPS"),
    (3, "452-02-NR-4000001", "Bắc Giang 5G", "VinaPhone", 21.273, 106.195, 25, ""),
    (4, "452-04-LTE-200001", "Lục Ngạn 2", "Viettel", 21.4, 106.5, None, "cột dây co"),
]


def main() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Trạm BTS"
    sheet.append(["DANH SÁCH TRẠM BTS TỈNH BẮC NINH (tháng 7/2025)"])
    sheet.append([])
    sheet.append(
        [
            "STT",
            "Mã trạm",
            "Tên trạm",
            "Nhà mạng",
            "Vĩ độ",
            "Kinh độ",
            "Độ cao anten (m)",
            "Ghi chú",
        ]
    )
    for row in ROWS:
        sheet.append(list(row))
    book.save(Path(__file__).with_name("stations_vi.xlsx"))


if __name__ == "__main__":
    main()
