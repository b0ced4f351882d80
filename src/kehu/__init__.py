"""kehu (客户): customer management that enforces Chinese companies' customer regulations."""
