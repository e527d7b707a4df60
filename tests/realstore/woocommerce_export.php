<?php
// php woocommerce_export.php WORDPRESS_DIR HOST:PORT: the store's products as WooCommerce's own
// product CSV exporter writes them (Products > Export: every type, variations, meta data), on stdout.
$_SERVER['HTTP_HOST'] = $argv[2];
$_SERVER['REQUEST_URI'] = '/';
require $argv[1] . '/wp-load.php';
wp_set_current_user(1);
include_once WC_ABSPATH . 'includes/export/class-wc-product-csv-exporter.php';
// Products > Export runs in the admin, where WooCommerce adds its Brands column
include_once WC_ABSPATH . 'includes/admin/class-wc-admin-brands.php';

class Woosync_Test_Exporter extends WC_Product_CSV_Exporter {
	public function csv() {
		$this->prepare_data_to_export();
		return $this->export_column_headers() . $this->get_csv_data();
	}
}

$exporter = new Woosync_Test_Exporter();
$exporter->enable_meta_export( true );
$exporter->set_product_types_to_export( array_merge( array_keys( wc_get_product_types() ), array( 'variation' ) ) );
$exporter->set_limit( 10000 );
echo $exporter->csv();
