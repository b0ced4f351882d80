"""API of the sales office's 旧客户登记本导入（试导入报告）, mounted at /api/v1/sales/imports/."""

from ninja import Router

router = Router(tags=["sales 旧客户登记本导入（试导入报告）"])
